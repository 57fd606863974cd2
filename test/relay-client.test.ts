/**
 * The desktop client (src/client/) against the real relay, over real sockets: subscribe, receive and
 * unsubscribe; the relay process restarted on the same port (SIGTERM, SIGKILL) while events keep
 * arriving; a token that expires mid-connection; refused joins; bounded backoff that resets.
 */
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { signToken } from '../src/auth/jwt';
import { compareEventIds } from '../src/client/policy';
import { RelayClient, type RelayClientOptions } from '../src/client/relay-client';
import { ClientRecorder } from './helpers/client-recorder';
import { nextMessageId, pushEnvelope } from './helpers/events';
import { freePort } from './helpers/ports';
import { RedisServer } from './helpers/redis-server';
import { RelayProcess } from './helpers/relay-process';
import { buildServer } from '../src/app/server';
import { createLogger } from '../src/log';
import { TEST_PROJECT, TEST_SECRET, postEvent, startServer, type RunningServer } from './helpers/stack';

let conversations = 0;
const newConversation = (): string => `projects/${TEST_PROJECT}/locations/global/conversations/client-${process.pid}-${++conversations}`;
const keyOf = (name: string): string => name.replace(/\/locations\/[^/]+/, '');

/** Posts one new-message notification; resolves with its Pub/Sub message id once the function answered 204. */
async function postMessage(url: string, conversation: string, content: string): Promise<string> {
  const messageId = nextMessageId();
  const envelope = pushEnvelope({ conversation, type: 'NEW_MESSAGE', newMessagePayload: { content, participantRole: 'END_USER' } }, { messageId });
  assert.equal(await postEvent(url, '/new-message-event', envelope), 204);
  return messageId;
}

/** Posts messages one after another until stopped; `posted` holds their ids in history order. */
function keepPosting(url: string, conversation: string, gapMs = 5): { posted: string[]; stop: () => Promise<void> } {
  const posted: string[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      posted.push(await postMessage(url, conversation, `message ${posted.length}`));
      await new Promise((resolve) => setTimeout(resolve, gapMs));
    }
  })();
  return {
    posted,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

function client(options: Partial<RelayClientOptions> & Pick<RelayClientOptions, 'url' | 'getToken'>): { client: RelayClient; recorder: ClientRecorder } {
  const made = new RelayClient({ WebSocket, minReconnectDelayMs: 50, maxReconnectDelayMs: 400, ...options });
  return { client: made, recorder: new ClientRecorder(made) };
}

describe('relay client (Node, ws) against the relay', function () {
  this.timeout(60_000);
  let server: RunningServer | undefined;
  let open: RelayClient | undefined;
  afterEach(async () => {
    open?.close();
    open = undefined;
    await server?.close();
    server = undefined;
  });

  it('subscribes, receives typed events in order, and stops receiving after unsubscribe', async () => {
    server = await startServer();
    const { client: c, recorder } = client({ url: server.wsUrl, getToken: () => server!.token('agent-7') });
    open = c;
    const first = newConversation();
    const second = newConversation();
    const before = await postMessage(server.url, first, 'sent before the desktop subscribed');
    const subA = recorder.subscribe(first);
    const subB = recorder.subscribe(second);
    await recorder.state('connected');
    assert.equal(recorder.states.find((s) => s.state === 'connected')?.detail.user, 'agent-7');
    const [replayed] = await recorder.eventCount(subA, 1);
    assert.equal(replayed.messageId, before, 'history replayed on subscribe');
    assert.equal(replayed.conversation, keyOf(first));
    if (replayed.dataType !== 'new-message-event') assert.fail(`unexpected ${replayed.dataType}`);
    assert.equal(replayed.data.newMessagePayload?.content, 'sent before the desktop subscribed');
    assert.equal(replayed.data.newMessagePayload?.participantRole, 'END_USER');

    const live = [await postMessage(server.url, first, 'one'), await postMessage(server.url, second, 'two'), await postMessage(server.url, first, 'three')];
    await recorder.eventCount(subA, 3);
    await recorder.eventCount(subB, 1);
    assert.deepEqual(recorder.events.get(subA)!.map((e) => e.messageId), [before, live[0], live[2]]);
    assert.deepEqual(recorder.events.get(subB)!.map((e) => e.messageId), [live[1]]);
    assert.equal(subA.lastEventId, recorder.events.get(subA)!.at(-1)!.id);
    const connections = (await server.relay.metrics.connections.get()).values.reduce((sum, v) => sum + v.value, 0);
    assert.equal(connections, 1, 'both subscriptions share one connection');

    subA.unsubscribe();
    assert.equal(subA.active, false);
    await postMessage(server.url, first, 'after unsubscribe');
    const barrier = await postMessage(server.url, second, 'barrier');
    await recorder.until(() => recorder.events.get(subB)!.some((e) => e.messageId === barrier));
    assert.equal(recorder.events.get(subA)!.length, 3, 'nothing after unsubscribe');
    assert.throws(() => c.subscribe(second), /already subscribed/);
  });

  it('resumes from a saved `after`: only what came later', async () => {
    server = await startServer();
    const name = newConversation();
    const seen = new ClientRecorder(new RelayClient({ url: server.wsUrl, getToken: () => server!.token(), WebSocket }));
    open = seen.client;
    await postMessage(server.url, name, 'a');
    const sub = seen.subscribe(name);
    const [a] = await seen.eventCount(sub, 1);
    seen.client.close();
    assert.equal(seen.states.at(-1)?.state, 'closed');
    const later = [await postMessage(server.url, name, 'b'), await postMessage(server.url, name, 'c')];

    const resumed = new ClientRecorder(new RelayClient({ url: server.wsUrl, getToken: () => server!.token(), WebSocket }));
    open = resumed.client;
    const again = resumed.subscribe(name, sub.lastEventId);
    assert.equal(again.lastEventId, a.id);
    await resumed.eventCount(again, 2);
    later.push(await postMessage(server.url, name, 'd')); // once it arrives, anything replayed twice would have too
    await resumed.eventCount(again, 3);
    assert.deepEqual(resumed.events.get(again)!.map((e) => e.messageId), later);
  });

  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    it(`the relay process restarted on the same port (${signal}) while events keep arriving: every event once, in order`, async () => {
      const redis = await RedisServer.start();
      server = await startServer({ REDIS_URL: redis.url }); // the event functions, on the same Redis
      const relay = await RelayProcess.start(redis.url);
      let tokens = 0;
      const { client: c, recorder } = client({ url: relay.wsUrl, getToken: () => (tokens++, server!.token()) });
      open = c;
      try {
        const name = newConversation();
        const sub = recorder.subscribe(name);
        const otherName = newConversation(); // a second subscription on the same connection resumes too
        const other = recorder.subscribe(otherName);
        await recorder.state('connected');
        const posting = keepPosting(server.url, name);
        const otherPosting = keepPosting(server.url, otherName, 15);
        await recorder.eventCount(sub, 20);

        assert.equal(await relay.stop(signal), signal === 'SIGTERM' ? 0 : null);
        await recorder.state('disconnected');
        const closed = recorder.states.find((s) => s.state === 'disconnected')!;
        assert.equal(closed.detail.code, signal === 'SIGTERM' ? 1012 : 1006);
        if (signal === 'SIGTERM') assert.equal(closed.detail.delayMs, 0, '1012: reconnect at once');
        const countWhileDown = posting.posted.length;
        await new Promise((resolve) => setTimeout(resolve, 300)); // events keep arriving while no relay runs
        await relay.start();
        await recorder.state('connected', 2);
        await recorder.until(() => posting.posted.length > countWhileDown + 20, 15_000, 'more events after the restart');
        await posting.stop();
        await otherPosting.stop();

        const events = await recorder.eventCount(sub, posting.posted.length);
        assert.deepEqual(events.map((e) => e.messageId), posting.posted, 'every event once, in order');
        const otherEvents = await recorder.eventCount(other, otherPosting.posted.length);
        assert.deepEqual(otherEvents.map((e) => e.messageId), otherPosting.posted, 'and on the second subscription');
        for (let i = 1; i < events.length; i++) assert.ok(compareEventIds(events[i - 1].id, events[i].id) < 0, 'ids increase');
        assert.ok(recorder.count('disconnected') >= 2, 'the first attempts found no relay');
        assert.ok(tokens >= 2);
      } finally {
        c.close();
        await relay.stop('SIGKILL');
        await server.close();
        server = undefined;
        await redis.destroy();
      }
    });
  }

  it('a token expiring mid-connection (4001): getToken(true), reconnect, nothing lost', async () => {
    // JWT_TOKEN_LIFETIME is in minutes; the first token is issued 58 s in the past, so it lapses in 2 s.
    server = await startServer({ JWT_TOKEN_LIFETIME: '1' });
    const calls: boolean[] = [];
    const getToken = (renew: boolean): string => {
      calls.push(renew);
      return signToken(server!.context.jwt, 'agent', calls.length === 1 ? Date.now() - 58_000 : Date.now()).token;
    };
    const { client: c, recorder } = client({ url: server.wsUrl, getToken });
    open = c;
    const name = newConversation();
    const sub = recorder.subscribe(name);
    await recorder.state('connected');
    const posting = keepPosting(server.url, name, 20);
    await recorder.until(() => recorder.states.some((s) => s.detail.code === 4001), 10_000, '4001 close');
    assert.equal(recorder.states.find((s) => s.detail.code === 4001)?.detail.delayMs, 0);
    await recorder.state('connected', 2);
    const count = posting.posted.length;
    await recorder.until(() => posting.posted.length > count + 5);
    await posting.stop();
    await recorder.eventCount(sub, posting.posted.length);
    assert.deepEqual(recorder.events.get(sub)!.map((e) => e.messageId), posting.posted);
    assert.deepEqual(calls.slice(0, 2), [false, true], 'a fresh token after 4001');
  });

  it('a 401 upgrade answer: getToken(true) next', async () => {
    server = await startServer();
    const calls: boolean[] = [];
    const forged = signToken({ ...server.context.jwt, keys: [{ kid: 'other', secret: Buffer.from('a-different-secret-of-enough-length-0123') }] }, 'agent').token;
    const { client: c, recorder } = client({
      url: server.wsUrl,
      getToken: (renew) => {
        calls.push(renew);
        return renew ? server!.token() : forged;
      },
    });
    open = c;
    await recorder.state('connected');
    assert.deepEqual(calls, [false, true]);
    assert.match(String(recorder.states.find((s) => s.state === 'disconnected')?.detail.reason), /401/);
  });

  it('a refused join surfaces as an error on that subscription alone', async () => {
    server = await startServer({ RELAY_MAX_CONVERSATIONS_PER_SOCKET: '1' });
    const { client: c, recorder } = client({ url: server.wsUrl, getToken: () => server!.token() });
    open = c;
    const good = recorder.subscribe(newConversation());
    const badName = recorder.subscribe('projects/p/conversations/has space');
    const badAfter = recorder.subscribe(newConversation(), 'not-an-id');
    const tooMany = recorder.subscribe(newConversation());
    await recorder.until(() => [badName, badAfter, tooMany].every((sub) => recorder.errors.get(sub)!.length === 1));
    assert.deepEqual([badName, badAfter, tooMany].map((sub) => recorder.errors.get(sub)![0].code), ['bad-conversation', 'bad-resume-point', 'too-many-conversations']);
    for (const sub of [badName, badAfter, tooMany]) {
      const [error] = recorder.errors.get(sub)!;
      assert.equal(error.retrying, false);
      assert.equal(error.conversation, sub.conversation);
      assert.ok(error instanceof Error && error.message.length > 0);
      assert.equal(sub.active, false);
    }
    const id = await postMessage(server.url, good.conversation, 'still delivered');
    assert.equal((await recorder.eventCount(good, 1))[0].messageId, id);
    assert.equal(recorder.errors.get(good)!.length, 0);
    assert.equal(c.state, 'connected');
  });

  it('backoff is bounded, grows while the relay is away, and starts over after a good connection', async () => {
    const port = await freePort();
    const url = `ws://127.0.0.1:${port}/ws`;
    const min = 40;
    const max = 320;
    let token = '';
    const { client: c, recorder } = client({ url, getToken: () => token || 'not-yet', minReconnectDelayMs: min, maxReconnectDelayMs: max });
    open = c;
    await recorder.state('disconnected', 7);
    const delays = recorder.states.filter((s) => s.state === 'disconnected').map((s) => s.detail.delayMs!);
    delays.forEach((delay, attempt) => {
      const ceiling = Math.min(max, min * 2 ** attempt);
      assert.ok(delay >= ceiling / 2 && delay <= ceiling, `attempt ${attempt}: ${delay} ms not in [${ceiling / 2}, ${ceiling}]`);
    });
    assert.ok(delays.slice(4).every((delay) => delay >= max / 2), 'the delay reached its bound');
    const starts = recorder.states.filter((s) => s.state === 'connecting').map((s) => s.at);
    for (let i = 1; i < Math.min(starts.length, delays.length); i++) assert.ok(starts[i] - starts[i - 1] >= delays[i - 1] - 5, 'waited the delay');

    server = await startServerOn(port);
    token = server.token();
    const sub = recorder.subscribe(newConversation());
    await recorder.state('connected');
    const id = await postMessage(server.url, sub.conversation, 'hello');
    await recorder.until(() => recorder.events.get(sub)!.some((e) => e.messageId === id));
    const before = recorder.count('disconnected');
    await server.close(); // drains: 1012, then nothing listens
    server = undefined;
    await recorder.state('disconnected', before + 2);
    const after = recorder.states.filter((s) => s.state === 'disconnected').slice(before);
    assert.equal(after[0].detail.code, 1012);
    assert.equal(after[0].detail.delayMs, 0);
    assert.ok(after[1].detail.delayMs! <= min, `after a good connection the backoff starts over (${after[1].detail.delayMs} ms)`);
  });
});

/** The stack on a given port (startServer picks a free one). */
async function startServerOn(port: number): Promise<RunningServer> {
  const built = await buildServer({ env: { JWT_SECRET: TEST_SECRET, GCP_PROJECT_ID: TEST_PROJECT, HOST: '127.0.0.1' }, local: false, mountFunctions: true, log: createLogger('test-stack') });
  await new Promise<void>((resolve) => built.relay.server.listen(port, '127.0.0.1', resolve));
  return { ...built, url: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}/ws`, token: (user = 'agent') => signToken(built.context.jwt, user).token };
}
