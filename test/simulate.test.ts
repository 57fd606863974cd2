/**
 * `npm run simulate` against a running local stack: it watches as a desktop through the project's client
 * (src/client/), posts the sample call to the four event routes, and prints each event once; against no
 * stack it says so and exits non-zero instead of waiting forever.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { sampleCall } from '../src/samples/notifications';
import { freePort } from './helpers/ports';
import { TEST_PROJECT, startServer, type RunningServer } from './helpers/stack';

function simulate(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(__dirname, '..', 'src', 'tools', 'simulate.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('npm run simulate', function () {
  this.timeout(30_000);
  let server: RunningServer | undefined;
  afterEach(async () => server?.close());

  it('registers, joins through the client, posts the sample call and prints every event once', async () => {
    server = await startServer({}, { local: true, mountFunctions: true });
    const conversation = `projects/${TEST_PROJECT}/locations/global/conversations/sim-test-${process.pid}`;
    const { code, stdout, stderr } = await simulate(['--url', server.url, '--conversation', conversation, '--delay-ms', '0']);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^desktop joined projects\/test-project\/locations\/global\/conversations\/sim-test-/m);
    const samples = sampleCall(conversation);
    assert.equal(stdout.match(/^POST \/[a-z-]+ → 204$/gm)?.length, samples.length);
    const events = stdout.match(/^event \d+-\d+ {2}[a-z-]+ {2}/gm) ?? [];
    assert.deepEqual(events.map((line) => line.split(/\s+/)[2]), samples.map((sample) => sample.type));
    assert.equal(new Set(events.map((line) => line.split(/\s+/)[1])).size, samples.length, 'each event once');
  });

  it('says it cannot connect when no stack listens, and exits 1', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const { code, stderr } = await simulate(['--url', url, '--token', 'a.b.c']);
    assert.equal(code, 1);
    assert.match(stderr, /could not connect to ws:\/\/127\.0\.0\.1:\d+\/ws/);
  });
});
