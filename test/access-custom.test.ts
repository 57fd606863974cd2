/**
 * `CONVERSATION_ACCESS=custom` end to end: an integrator's module (written to a temporary directory, loaded
 * by the relay as in production) decides every join on both protocols, with real `ws` and socket.io-client
 * against real Redis. A refused join gets nothing; answers are cached per (user, conversation); a module
 * that throws or hangs refuses with `unavailable`; a bad module stops the start.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildServer } from '../src/app/server';
import { ConfigError } from '../src/config/settings';
import { createLogger } from '../src/log';
import { notification, pushEnvelope } from './helpers/events';
import { freePort } from './helpers/ports';
import { RedisServer } from './helpers/redis-server';
import { SioDesktop } from './helpers/socketio-client';
import { NativeClient, postEvent, startServer, TEST_PROJECT, TEST_SECRET, type RunningServer } from './helpers/stack';
import { capturedLogs, clearLogs } from './setup';

/** The module under test: decides by the conversation id's prefix, and records every call. */
const MODULE = `
const calls = [];
exports.calls = calls;
exports.canJoin = async (who, conversation, options) => {
  calls.push({ who, conversation, aborted: () => options.signal.aborted });
  const id = conversation.split('/').pop();
  if (id.startsWith('allowed-')) return { reason: 'assigned' };
  if (id.startsWith('throws-')) throw new Error('assignment directory down');
  if (id.startsWith('hangs-')) return new Promise(() => {});
  return false;
};`;

interface Call {
  readonly who: { user: string; project: string; claims: Record<string, unknown> };
  readonly conversation: string;
  aborted(): boolean;
}

let counter = 0;
function conversation(prefix: string): { name: string; key: string } {
  counter += 1;
  const id = `${prefix}-${process.pid}-${counter}`;
  return { name: `projects/${TEST_PROJECT}/locations/global/conversations/${id}`, key: `projects/${TEST_PROJECT}/conversations/${id}` };
}

describe('conversation access: a custom canJoin module', function () {
  this.timeout(30_000);
  let dir: string;
  let modulePath: string;
  let calls: Call[];
  let redis: RedisServer;
  let server: RunningServer;
  const closers: Array<() => void> = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'access-module-'));
    modulePath = join(dir, 'can-join.js');
    await writeFile(modulePath, MODULE);
    await writeFile(join(dir, 'no-can-join.js'), 'exports.check = async () => true;');
    redis = await RedisServer.start();
    server = await startServer({ REDIS_URL: redis.url, CONVERSATION_ACCESS: 'custom', CONVERSATION_ACCESS_MODULE: modulePath, CONVERSATION_ACCESS_TIMEOUT_MS: '300' });
    // The relay loaded this very module (one module cache): its record of calls is ours to read.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    calls = (require(modulePath) as { calls: Call[] }).calls;
  });
  afterEach(() => {
    for (const close of closers.splice(0)) close();
  });
  after(async () => {
    await server?.close();
    await redis?.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  const callsFor = (key: string): Call[] => calls.filter((call) => call.conversation === key);

  async function publish(name: string): Promise<void> {
    assert.equal(await postEvent(server.url, '/new-message-event', pushEnvelope(notification('new-message-event', name))), 204);
  }

  async function native(user = 'agent-1'): Promise<NativeClient> {
    const client = await NativeClient.connect(server.wsUrl, server.token(user));
    closers.push(() => client.close());
    return client;
  }

  async function desktop(user = 'agent-1'): Promise<SioDesktop> {
    const d = await SioDesktop.connect(server.url, server.token(user));
    closers.push(() => d.close());
    return d;
  }

  it('native: joins what the module allows (replay and live) and refuses the rest with nothing delivered', async () => {
    const allowed = conversation('allowed');
    const refused = conversation('refused');
    await publish(allowed.name);
    await publish(refused.name);
    const client = await native();

    const joined = await client.join(allowed.name);
    assert.equal(joined.type, 'joined');
    assert.equal(joined.replayed, 1);
    const no = await client.join(refused.name);
    assert.deepEqual([no.type, no.code, no.message], ['error', 'forbidden', 'not allowed to join this conversation']);

    await publish(refused.name);
    await publish(allowed.name);
    const events = await client.eventCount(2);
    assert.deepEqual(events.map((e) => e.conversation), [allowed.key, allowed.key]);

    const [call] = callsFor(allowed.key);
    assert.equal(call.who.user, 'agent-1');
    assert.equal(call.who.project, TEST_PROJECT);
    assert.equal(call.who.claims.gcp_agent_assist_user, 'agent-1');
    assert.equal(typeof call.who.claims.exp, 'number');
    assert.equal(callsFor(refused.key).length, 1);
  });

  it('Socket.IO: joins what the module allows (replay and live) and refuses the rest with nothing delivered', async () => {
    const allowed = conversation('allowed');
    const refused = conversation('refused');
    await publish(allowed.name);
    await publish(refused.name);
    const d = await desktop();

    assert.deepEqual(await d.join(allowed.name), [true, allowed.key]);
    await d.eventCount(allowed.key, 1);
    assert.deepEqual(await d.join(refused.name), [false, 'forbidden: not allowed to join this conversation']);
    await publish(refused.name);
    await publish(allowed.name);
    await d.eventCount(allowed.key, 2);
    assert.deepEqual(d.eventsOf(refused.key), []);
    assert.equal(d.received.length, 2);
  });

  it('asks the module once per (user, conversation) within the cache TTL, on either protocol', async () => {
    const allowed = conversation('allowed');
    const refused = conversation('refused');
    const client = await native('agent-cache');
    const d = await desktop('agent-cache');
    assert.equal((await client.join(allowed.name)).type, 'joined');
    assert.equal((await client.leave(allowed.name)).type, 'left');
    assert.equal((await client.join(allowed.key)).type, 'joined');
    assert.deepEqual(await d.join(allowed.name), [true, allowed.key]);
    assert.equal((await client.join(refused.name)).code, 'forbidden');
    assert.deepEqual((await d.join(refused.name))[0], false);
    assert.equal(callsFor(allowed.key).length, 1);
    assert.equal(callsFor(refused.key).length, 1, 'a refusal is cached too');

    // Another user is asked about on their own.
    const other = await native('agent-other');
    assert.equal((await other.join(allowed.name)).type, 'joined');
    assert.deepEqual(callsFor(allowed.key).map((call) => call.who.user), ['agent-cache', 'agent-other']);
  });

  it('a module that throws or hangs refuses with `unavailable` on both protocols, without caching it', async () => {
    const throws = conversation('throws');
    const hangs = conversation('hangs');
    await publish(throws.name);
    const client = await native();
    const d = await desktop();

    const thrown = await client.join(throws.name);
    assert.deepEqual([thrown.type, thrown.code], ['error', 'unavailable']);
    const started = Date.now();
    const hung = await client.join(hangs.name);
    assert.deepEqual([hung.type, hung.code], ['error', 'unavailable']);
    assert.ok(Date.now() - started < 2_000, 'answered at the timeout, not never');
    assert.ok(callsFor(hangs.key)[0].aborted(), 'the module is told through its signal');

    assert.deepEqual(await d.join(throws.name), [false, 'unavailable: access check unavailable; retry']);
    assert.deepEqual(await d.join(hangs.name), [false, 'unavailable: access check unavailable; retry']);
    assert.equal(callsFor(throws.key).length, 2, 'a failure is not cached: the next join asks again');
    assert.equal(client.events.length + d.received.length, 0, 'nothing replayed');
  });

  it('logs the failing module as ERROR once per minute, not once per join', async () => {
    // A relay of its own, so no earlier failure counts toward this minute.
    const fresh = await startServer({ CONVERSATION_ACCESS: 'custom', CONVERSATION_ACCESS_MODULE: modulePath, CONVERSATION_ACCESS_TIMEOUT_MS: '200' });
    try {
      clearLogs();
      const client = await NativeClient.connect(fresh.wsUrl, fresh.token());
      for (const prefix of ['throws', 'throws', 'hangs']) assert.equal((await client.join(conversation(prefix).name)).code, 'unavailable');
      client.close();
      const errors = capturedLogs().filter((line) => line.severity === 'ERROR');
      assert.equal(errors.length, 1, JSON.stringify(errors));
      assert.equal(errors[0].message, 'conversation access check failed; joins refused');
      assert.equal(errors[0].reason, 'threw');
      assert.match(String(errors[0].error), /assignment directory down/);
    } finally {
      await fresh.close();
    }
  });

  describe('a bad module stops the start', () => {
    const build = (env: Record<string, string>) =>
      buildServer({ env: { JWT_SECRET: TEST_SECRET, GCP_PROJECT_ID: TEST_PROJECT, CONVERSATION_ACCESS: 'custom', ...env }, local: false, mountFunctions: false, log: createLogger('test') });

    it('a path where there is no module', async () => {
      await assert.rejects(build({ CONVERSATION_ACCESS_MODULE: join(dir, 'missing.js') }), (error: unknown) => error instanceof ConfigError && /CONVERSATION_ACCESS_MODULE .*missing\.js could not be loaded/.test(error.message));
    });

    it('a module without canJoin', async () => {
      await assert.rejects(build({ CONVERSATION_ACCESS_MODULE: join(dir, 'no-can-join.js') }), (error: unknown) => error instanceof ConfigError && /exports no canJoin function/.test(error.message));
    });

    it('custom without a module, or an unknown mode', async () => {
      await assert.rejects(build({}), (error: unknown) => error instanceof ConfigError && /CONVERSATION_ACCESS=custom needs CONVERSATION_ACCESS_MODULE/.test(error.message));
      await assert.rejects(build({ CONVERSATION_ACCESS: 'everyone' }), (error: unknown) => error instanceof ConfigError && /CONVERSATION_ACCESS must be one of project, custom/.test(error.message));
    });

    it('the relay process exits 1 with the reason in its log', async () => {
      const port = await freePort();
      const child = spawn(process.execPath, [join(__dirname, '..', 'src', 'app', 'relay-main.js')], {
        env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', PORT: String(port), JWT_SECRET: TEST_SECRET, GCP_PROJECT_ID: TEST_PROJECT, CONVERSATION_ACCESS: 'custom', CONVERSATION_ACCESS_MODULE: join(dir, 'missing.js') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const [code] = (await once(child, 'exit')) as [number];
      assert.equal(code, 1);
      const line = output.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.message === 'relay failed to start');
      assert.ok(line, output);
      assert.match(String(line.error), /CONVERSATION_ACCESS_MODULE .*missing\.js could not be loaded/);
    });
  });
});
