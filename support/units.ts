/**
 * Deployable units as Cloud Functions runs them, for the bundle test and the cold-start benchmark:
 * `scripts/bundle.mjs` builds them from a `tsc` output, `stageUnit` gives a unit a `node_modules` holding
 * only the packages its `package.json` declares (links into this checkout's, as `npm install` in the unit
 * would provide them), and `startUnit` runs the unit's own functions-framework CLI with `--target` and
 * `--source=<unit dir>`. Each entry point has a probe: one request and the answer that proves the unit works.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { signToken } from '../src/auth/jwt';
import { loadJwtSettings } from '../src/auth/jwt-config';
import { freePort } from './ports';

/** The checkout (this file runs from `<root>/<dist>/support`). */
export const ROOT = join(__dirname, '..', '..');
/** The `tsc` output this file belongs to (`dist/` for `npm test`, or a private `--outDir`). */
export const DIST = join(__dirname, '..');

export interface UnitManifestEntry {
  readonly name: string;
  readonly dir: string;
  readonly bytes: number;
  readonly dependencies: Record<string, string>;
}

/** Runs `scripts/bundle.mjs` from `dist` into `out` and returns its manifest (absolute dirs). */
export function bundleUnits(out: string, dist = DIST): UnitManifestEntry[] {
  const result = spawnSync(process.execPath, [join(ROOT, 'scripts', 'bundle.mjs'), '--dist', dist, '--out', out], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`bundle failed: ${result.stderr}`);
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as UnitManifestEntry[];
  return manifest.map((unit) => ({ ...unit, dir: join(out, unit.dir) }));
}

/** Gives the unit a node_modules with exactly its declared dependencies (the unit must lie outside ROOT). */
export function stageUnit(unitDir: string): void {
  const pkg = JSON.parse(readFileSync(join(unitDir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  for (const name of Object.keys(pkg.dependencies ?? {})) {
    const link = join(unitDir, 'node_modules', name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', name), link, 'dir');
  }
}

export interface Probe {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** Whether the answer is the correct one for this unit. */
  check(status: number, text: string): boolean;
}

const CONVERSATION = 'projects/bench-project/locations/global/conversations/cold-start';

function eventProbe(type: string, attributes: Record<string, string> = {}): () => Probe {
  return () => ({
    method: 'POST',
    path: '/',
    body: {
      message: {
        data: Buffer.from(JSON.stringify({ conversation: CONVERSATION, type: 'NEW_MESSAGE', newMessagePayload: { content: 'hi' } })).toString('base64'),
        attributes,
        messageId: `cold-${type}-${process.hrtime.bigint()}`,
        publishTime: new Date().toISOString(),
      },
      subscription: 'projects/bench-project/subscriptions/cold-start',
    },
    check: (status) => status === 204,
  });
}

const webhookProbe = (): Probe => ({
  method: 'POST',
  path: '/',
  body: {
    responseId: `cold-${process.hrtime.bigint()}`,
    session: 'projects/bench-project/agent/sessions/cold-start',
    queryResult: { queryText: 'where is my order 42', parameters: { 'order-number': 42 }, languageCode: 'en', intent: { displayName: 'order.status' } },
  },
  check: (status, text) => status === 200 && /Order 42 has shipped/.test(text),
});

/** The request that shows each entry point answering correctly (a fresh body per call; `token` is a valid JWT). */
export const PROBES: Record<string, (token: string) => Probe> = {
  humanAgentAssistantEvent: eventProbe('human-agent-assistant-event'),
  newMessageEvent: eventProbe('new-message-event'),
  conversationLifecycleEvent: eventProbe('conversation-lifecycle-event'),
  newRecognitionResultNotificationEvent: eventProbe('new-recognition-result-notification-event', { participant_role: 'END_USER', message_id: 'm-1' }),
  // Production with AUTH_OPTION unset refuses every registration.
  register: () => ({ method: 'POST', path: '/', body: {}, check: (status) => status === 401 }),
  registerApp: () => ({ method: 'POST', path: '/', body: {}, check: (status) => status === 401 }),
  dialogflowWebhook: webhookProbe,
  // Not on the allowlist: refused before any credential or upstream is touched.
  dialogflowProxy: (token) => ({ method: 'GET', path: '/v2/projects/bench-project/agent/intents', headers: { authorization: `Bearer ${token}` }, check: (status) => status === 404 }),
  // A valid JWT but no conversationIntegrationKey.
  conversationName: (token) => ({ method: 'GET', path: '/', headers: { authorization: `Bearer ${token}` }, check: (status) => status === 400 }),
};

const UNIT_SECRET = 'cold-start-secret-that-is-long-enough-0123456789';

/** A JWT the units started with `unitEnv()` accept. */
export async function unitToken(): Promise<string> {
  const jwt = await loadJwtSettings({ JWT_SECRET: UNIT_SECRET, GCP_PROJECT_ID: 'bench-project' });
  return signToken(jwt, 'cold-start-agent').token;
}

/** The environment every unit gets: production, a JWT secret, quiet logs, plus the caller's (e.g. Redis). */
export function unitEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    LOG_LEVEL: 'WARNING',
    GCP_PROJECT_ID: 'bench-project',
    JWT_SECRET: UNIT_SECRET,
    ...extra,
  };
}

/** Sends a probe; resolves with the status and body, or rejects when nothing listens yet. */
export async function sendProbe(url: string, probe: Probe): Promise<{ status: number; text: string }> {
  const response = await fetch(`${url}${probe.path}`, {
    method: probe.method,
    headers: { ...(probe.body === undefined ? {} : { 'content-type': 'application/json' }), ...probe.headers },
    body: probe.body === undefined ? undefined : JSON.stringify(probe.body),
  });
  return { status: response.status, text: await response.text() };
}

export interface RunningUnit {
  readonly child: ChildProcess;
  readonly url: string;
  /** Milliseconds from spawn to the first correct answer to the unit's probe. */
  readonly firstAnswerMs: number;
  stop(): Promise<void>;
}

/**
 * Starts a staged unit the way Cloud Functions does (its own functions-framework, `--target`, `--source`)
 * and sends its probe until the first answer; rejects if that answer is not the correct one.
 */
export async function startUnit(name: string, unitDir: string, env: Record<string, string>, token: string, timeoutMs = 15_000): Promise<RunningUnit> {
  const cli = join(unitDir, 'node_modules', '@google-cloud', 'functions-framework', 'build', 'src', 'main.js');
  const port = await freePort();
  let stderr = '';
  const started = performance.now();
  const child = spawn(process.execPath, [cli, `--target=${name}`, `--source=${unitDir}`, `--port=${port}`], {
    cwd: unitDir,
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  };
  const url = `http://127.0.0.1:${port}`;
  const makeProbe = PROBES[name];
  if (!makeProbe) throw new Error(`no probe for ${name}`);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${stderr.slice(-2000)}`);
    const probe = makeProbe(token);
    let answer: { status: number; text: string } | undefined;
    try {
      answer = await sendProbe(url, probe);
    } catch {
      if (performance.now() - started > timeoutMs) {
        await stop();
        throw new Error(`${name} did not listen within ${timeoutMs} ms: ${stderr.slice(-2000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
      continue;
    }
    const firstAnswerMs = performance.now() - started;
    if (!probe.check(answer.status, answer.text)) {
      await stop();
      throw new Error(`${name} answered ${answer.status} ${answer.text.slice(0, 300)} ${stderr.slice(-1000)}`);
    }
    return { child, url, firstAnswerMs, stop };
  }
}

/** Entry points registered in functions/*.ts (`http('name', …)`). */
export function registeredEntryPoints(): string[] {
  const dir = join(ROOT, 'functions');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.ts'))
    .flatMap((file) => [...readFileSync(join(dir, file), 'utf8').matchAll(/\bhttp\(\s*['"]([A-Za-z0-9_]+)['"]/g)].map((match) => match[1]))
    .sort();
}
