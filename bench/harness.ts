/**
 * Processes for benchmarks, each as it runs in production: a redis-server, event functions under the
 * functions-framework CLI, the relay container's entry point, and the bare references (bench/reference/).
 * Loopback only; every process is killed when the benchmark ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signToken } from '../src/auth/jwt';
import { loadJwtSettings } from '../src/auth/jwt-config';
import { freePort } from '../support/ports';
import { RedisServer } from '../support/redis-server';

export const ROOT = join(__dirname, '..', '..');
export const BENCH_SECRET = 'benchmark-secret-that-is-long-enough-0123456789';
export const BENCH_PROJECT = 'bench-project';

export interface Proc {
  readonly child: ChildProcess;
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

async function waitForHttp(url: string, child: ChildProcess, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`process for ${url} exited with ${child.exitCode}`);
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${url} did not answer`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

function start(args: string[], env: Record<string, string>, port: number, probePath: string): Promise<Proc> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', LOG_LEVEL: 'WARNING', JWT_SECRET: BENCH_SECRET, GCP_PROJECT_ID: BENCH_PROJECT, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.add(child);
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    children.delete(child);
    if (child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  };
  return waitForHttp(`${url}${probePath}`, child).then(() => ({ child, port, url, stop }));
}

/** The relay container's entry point. */
export async function startRelay(env: Record<string, string>): Promise<Proc> {
  // The benchmarks' desktops all share one token (one user): lift the per-user socket cap for them.
  return start([join(ROOT, 'dist', 'src', 'app', 'relay-main.js')], { RELAY_MAX_SOCKETS_PER_USER: '100000', ...env }, await freePort(), '/healthz');
}

/** The bare reference relay (bench/reference/bare-relay.ts). */
export async function startBareRelay(env: Record<string, string>): Promise<Proc> {
  return start([join(ROOT, 'dist', 'bench', 'reference', 'bare-relay.js')], env, await freePort(), '/');
}

/** The bare reference event function (bench/reference/bare-function.ts). */
export async function startBareFunction(env: Record<string, string>): Promise<Proc> {
  return start([join(ROOT, 'dist', 'bench', 'reference', 'bare-function.js')], env, await freePort(), '/');
}

/** One function under the functions-framework CLI, as Cloud Functions runs it (`source` under dist/). */
export async function startFunction(target: string, env: Record<string, string>, source = `functions/${target}.js`): Promise<Proc> {
  const cli = join(ROOT, 'node_modules', '@google-cloud', 'functions-framework', 'build', 'src', 'main.js');
  const port = await freePort();
  return start([cli, `--target=${target}`, `--source=${join(ROOT, 'dist', source)}`, `--port=${port}`], env, port, '/');
}

export async function startRedis(): Promise<RedisServer> {
  return RedisServer.start();
}

/** A token the benchmark's relays accept. */
export async function benchToken(): Promise<string> {
  const jwt = await loadJwtSettings({ JWT_SECRET: BENCH_SECRET, GCP_PROJECT_ID: BENCH_PROJECT });
  return signToken(jwt, 'bench-agent').token;
}

/** Resident set size of a process, from /proc (Linux). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? NaN);
  return kb * 1024;
}

/** The settled RSS of a process: the lowest of a few readings, since a reading can catch garbage not yet collected. */
export async function settledRss(pid: number): Promise<number> {
  let lowest = Infinity;
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, 400));
    lowest = Math.min(lowest, rssOf(pid));
  }
  return lowest;
}
