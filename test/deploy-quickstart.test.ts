/**
 * The README's quick start, as a new user meets it: the prerequisites are named, `npm start` (which blocks)
 * and `npm test` sit in separate blocks, every npm script that runs compiled code builds it first (so
 * `npm run simulate` in a fresh clone works), `engines` names the supported Node versions, and a port already
 * in use ends `npm start` (and the relay) with a message naming the setting to change.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { listenError } from '../src/app/lifecycle';
import { shellBlocks } from './helpers/shell-commands';
import { DIST, ROOT } from './helpers/units';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('\n## ', readme.indexOf('## Quick start') + 5));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string }; scripts: Record<string, string> };

async function occupiedPort(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : 0 };
}

/** Runs a compiled entry point on a port that is taken; resolves with its exit code and output. */
async function startOnTakenPort(entry: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { server, port } = await occupiedPort();
  try {
    const child = spawn(process.execPath, [join(DIST, 'src', ...entry.split('/'))], {
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    return { code, stdout, stderr: stderr.replaceAll(String(port), '<port>') };
  } finally {
    server.close();
  }
}

describe('quick start (README) and first-run messages', function () {
  this.timeout(30_000);

  it('names the prerequisites: Node versions, redis-server and Chromium for the tests', () => {
    assert.match(quickStart, /Node\.js 20, 22 or 24/);
    assert.match(quickStart, /redis-server/);
    assert.match(quickStart, /Chromium/);
  });

  it('keeps npm start and npm test in separate blocks, and says npm start runs until Ctrl-C', () => {
    const blocks = shellBlocks(quickStart).map((block) => block.code);
    const start = blocks.findIndex((code) => /^npm start$/m.test(code));
    const test = blocks.findIndex((code) => /^npm test$/m.test(code));
    assert.ok(start >= 0 && test >= 0 && start !== test, 'npm start and npm test in different blocks');
    assert.ok(!/^npm (test|run)/m.test(blocks[start]), 'nothing follows npm start in its block');
    assert.match(quickStart, /runs until you press Ctrl-C/);
  });

  it('builds before running compiled code in every npm script (npm run simulate works in a fresh clone)', () => {
    for (const [name, script] of Object.entries(pkg.scripts)) {
      const run = script.indexOf('node dist/');
      if (run === -1) continue;
      assert.match(script.slice(0, run), /npm run build\b/, `npm run ${name} builds before ${script.slice(run)}`);
    }
    assert.match(pkg.scripts.simulate, /^npm run build --silent && node dist\/src\/tools\/simulate\.js$/);
  });

  it('says in engines which Node versions are supported, and this one is among them', () => {
    assert.equal(pkg.engines.node, '^20.9.0 || ^22.0.0 || ^24.0.0');
    assert.ok([20, 22, 24].includes(Number(process.versions.node.split('.')[0])), `running on ${process.version}`);
  });

  it('npm start on a port in use exits 1 and names PORT, in the log line and on its own line', async () => {
    const { code, stdout, stderr } = await startOnTakenPort('app/stack-main.js', { NODE_ENV: 'development', LOG_LEVEL: 'ERROR' });
    assert.equal(code, 1);
    const line = JSON.parse(stdout.trim().split('\n').at(-1)!) as { message: string; error: string };
    assert.equal(line.message, 'stack failed to start');
    assert.match(line.error, /already in use .*set PORT to a free port/);
    assert.match(stderr, /npm start: port <port> on 127\.0\.0\.1 is already in use .*set PORT to a free port, e\.g\. PORT=8081/);
    assert.doesNotMatch(stdout + stderr, /EADDRINUSE/);
  });

  it('the relay on a port in use logs one JSON line naming PORT and exits 1', async () => {
    const { code, stdout } = await startOnTakenPort('app/relay-main.js', {
      NODE_ENV: 'production',
      GCP_PROJECT_ID: 'quickstart-project',
      JWT_SECRET: 'quickstart-secret-that-is-long-enough-0123456789',
    });
    assert.equal(code, 1);
    const lines = stdout.trim().split('\n').map((text) => JSON.parse(text) as { message: string; error?: string });
    const failed = lines.find((line) => line.message === 'relay failed to start');
    assert.ok(failed, stdout);
    assert.match(failed.error!, /set PORT to a free port/);
  });

  it('npm run simulate with no stack running says to start it, instead of a bare fetch error', async () => {
    const { server, port } = await occupiedPort();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    for (const extra of [[], ['--no-watch']]) {
      const child = spawn(process.execPath, [join(DIST, 'src', 'tools', 'simulate.js'), '--url', `http://127.0.0.1:${port}`, '--delay-ms', '0', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const [code] = (await once(child, 'exit')) as [number | null];
      assert.equal(code, 1);
      assert.match(stderr, /nothing answers at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\): start the stack first with `npm start`/, `${extra.join(' ')}: ${stderr}`);
      assert.doesNotMatch(stderr, /^\s+at /m, 'no stack trace');
    }
  });

  it('maps the other bind failures to the setting that fixes them', () => {
    const error = (code: string): NodeJS.ErrnoException => Object.assign(new Error(code), { code });
    assert.match(listenError(error('EACCES'), '0.0.0.0', 80).message, /set PORT to a port above 1023/);
    assert.match(listenError(error('EADDRNOTAVAIL'), '10.9.9.9', 8080).message, /set HOST/);
    const other = error('ECONNRESET');
    assert.equal(listenError(other, '127.0.0.1', 8080), other);
  });
});
