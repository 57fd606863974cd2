/**
 * Processes for benchmarks, each as it runs in production: a redis-server, event functions under the
 * functions-framework CLI, and the relay container's entry point. Loopback only; every process is
 * killed when the benchmark ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { signToken } from '../src/auth/jwt';
import { loadJwtSettings } from '../src/auth/jwt-config';
import { freePort } from '../test/helpers/ports';
import { RedisServer } from '../test/helpers/redis-server';

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
  return start([join(ROOT, 'dist', 'src', 'relay', 'main.js')], { RELAY_MAX_SOCKETS_PER_USER: '100000', ...env }, await freePort(), '/healthz');
}

/** One event function under the functions-framework CLI, as Cloud Functions runs it. */
export async function startFunction(target: string, env: Record<string, string>): Promise<Proc> {
  const cli = join(ROOT, 'node_modules', '@google-cloud', 'functions-framework', 'build', 'src', 'main.js');
  const port = await freePort();
  return start([cli, `--target=${target}`, `--source=${join(ROOT, 'dist', 'functions', `${target}.js`)}`, `--port=${port}`], env, port, '/');
}

export async function startRedis(): Promise<RedisServer> {
  return RedisServer.start();
}

/** A token the benchmark's relays accept. */
export async function benchToken(): Promise<string> {
  const jwt = await loadJwtSettings({ JWT_SECRET: BENCH_SECRET, GCP_PROJECT_ID: BENCH_PROJECT });
  return signToken(jwt, 'bench-agent').token;
}

/** Percentile of sorted numbers. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

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

/** A keep-alive poster of Pub/Sub push deliveries (a new-message notification) to one event function. */
export interface DeliveryPoster {
  /** Sends one delivery for `conversation` with `messageId`; does not wait for the answer. */
  post(conversation: string, messageId: string): void;
  /** Deliveries answered 204 so far. */
  readonly acknowledged: number;
  close(): void;
}

export function deliveryPoster(functionUrl: string): DeliveryPoster {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const target = new URL(functionUrl);
  let acknowledged = 0;
  return {
    post(conversation, messageId) {
      const data = Buffer.from(JSON.stringify({ conversation, type: 'NEW_MESSAGE', newMessagePayload: { content: 'benchmark message', participantRole: 'END_USER' } })).toString('base64');
      const body = JSON.stringify({ message: { data, messageId, publishTime: new Date().toISOString(), attributes: {} }, subscription: 'projects/bench-project/subscriptions/bench' });
      const req = request({ host: target.hostname, port: target.port, path: '/', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        if (res.statusCode === 204) acknowledged += 1;
        res.resume();
      });
      req.on('error', () => undefined);
      req.end(body);
    },
    get acknowledged() {
      return acknowledged;
    },
    close: () => agent.destroy(),
  };
}

/**
 * Calls `send(i)` open-loop, `eps` times a second for `seconds` (on schedule whatever the answers), then
 * waits up to 5 s for `pending()` to reach 0. Resolves with the count sent and when sending started.
 */
export async function offerOpenLoop(eps: number, seconds: number, send: (i: number) => void, pending: () => number): Promise<{ sent: number; started: number }> {
  const total = Math.round(eps * seconds);
  const started = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * eps));
      for (; sent < due; sent++) send(sent);
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 10);
  });
  const deadline = performance.now() + 5000;
  while (pending() > 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return { sent, started };
}
