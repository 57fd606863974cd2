/**
 * The event path end to end: an event function and two relay instances sharing a real Redis, desktops
 * on the native protocol over real WebSockets.
 */
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { CLOSE } from '../src/relay/native';
import { nextMessageId, notification, pushEnvelope } from './helpers/events';
import { RedisServer } from './helpers/redis-server';
import { NativeClient, postEvent, startServer, type RunningServer } from './helpers/stack';

describe('event path: function → Redis → relays → desktops', function () {
  this.timeout(30_000);
  let redis: RedisServer;
  let fn: RunningServer;
  let relayA: RunningServer;
  let relayB: RunningServer;
  const clients: NativeClient[] = [];
  let n = 0;
  const conversation = (): string => `projects/test-project/locations/us-central1/conversations/path-${Date.now()}-${n++}`;
  const keyOf = (name: string): string => name.replace(/\/locations\/[^/]+/, '');
  const connect = async (relay: RunningServer): Promise<NativeClient> => {
    const client = await NativeClient.connect(relay.wsUrl, relay.token());
    clients.push(client);
    return client;
  };
  const publish = async (name: string, messageId = nextMessageId(), type: Parameters<typeof notification>[0] = 'new-message-event') =>
    postEvent(fn.url, `/${type}`, pushEnvelope(notification(type, name), { messageId }));

  before(async () => {
    redis = await RedisServer.start();
    const env = { REDIS_URL: redis.url, REDIS_CONNECT_WAIT_MS: '500', RELAY_SHUTDOWN_SECONDS: '2' };
    fn = await startServer(env, { mountFunctions: true });
    relayA = await startServer(env, { mountFunctions: false });
    relayB = await startServer(env, { mountFunctions: false });
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  after(async () => {
    await Promise.all([fn, relayA, relayB].map((server) => server?.close()));
    await redis?.destroy();
  });

  it('gives every desktop in a conversation, on either relay, every event once; others get none', async () => {
    const name = conversation();
    const [a1, a2, b1, other] = await Promise.all([connect(relayA), connect(relayA), connect(relayB), connect(relayB)]);
    for (const client of [a1, a2, b1]) assert.equal((await client.join(name)).type, 'joined');
    assert.equal((await other.join(conversation())).type, 'joined');
    const ids = [nextMessageId(), nextMessageId(), nextMessageId()];
    for (const id of ids) assert.equal(await publish(name, id), 204);
    for (const client of [a1, a2, b1]) {
      const events = await client.eventCount(3);
      assert.deepEqual(events.map((e) => e.messageId), ids);
      assert.ok(events.every((e) => e.conversation === keyOf(name) && e.dataType === 'new-message-event'));
    }
    await b1.join(conversation()).then(() => publish(name));
    await a1.eventCount(4);
    assert.equal(other.events.length, 0);
    assert.equal(a1.events.length, 4);
  });

  it('sends parsed notification data with the event id, message id and attributes', async () => {
    const name = conversation();
    const client = await connect(relayB);
    await client.join(keyOf(name));
    const data = notification('new-recognition-result-notification-event', name);
    const attributes = { participant_role: 'END_USER', message_id: 'recognition-42' };
    await postEvent(fn.url, '/new-recognition-result-notification-event', pushEnvelope(data, { attributes }));
    const [event] = await client.eventCount(1);
    assert.deepEqual(event.data, data);
    assert.deepEqual(event.attributes, attributes);
    assert.match(String(event.id), /^\d+-\d+$/);
    assert.equal(event.dataType, 'new-recognition-result-notification-event');
    assert.equal(event.publishTime, '2026-11-21T10:00:00.000Z');
    assert.ok(!Number.isNaN(Date.parse(String(event.ackTime))));
  });

  it('delivers a message delivered three times once', async () => {
    const name = conversation();
    const client = await connect(relayA);
    await client.join(name);
    const id = nextMessageId();
    for (let i = 0; i < 3; i++) assert.equal(await publish(name, id), 204);
    await publish(name);
    const events = await client.eventCount(2);
    assert.equal(events.filter((e) => e.messageId === id).length, 1);
  });

  it('gives an event published before anyone joined to the desktop that joins, once', async () => {
    const name = conversation();
    const early = nextMessageId();
    await publish(name, early);
    const client = await connect(relayB);
    const joined = await client.join(name);
    assert.equal(joined.replayed, 1);
    await publish(name);
    const events = await client.eventCount(2);
    assert.equal(events[0].messageId, early);
    assert.equal(events.filter((e) => e.messageId === early).length, 1);
    await client.join(name);
    await publish(name);
    await client.eventCount(3);
    assert.equal(new Set(client.events.map((e) => e.id)).size, client.events.length, 'no duplicates after re-join');
  });

  it('gives a desktop that reconnects with its last event id exactly what it missed, in order', async () => {
    const name = conversation();
    const first = await connect(relayA);
    await first.join(name);
    await publish(name);
    await publish(name);
    const seen = await first.eventCount(2);
    const lastId = String(seen[1].id);
    first.close();
    const missed = [nextMessageId(), nextMessageId(), nextMessageId()];
    for (const id of missed) await publish(name, id);
    const second = await connect(relayB);
    const joined = await second.join(name, lastId);
    assert.equal(joined.replayed, 3);
    assert.deepEqual((await second.eventCount(3)).map((e) => e.messageId), missed);
  });

  it('refuses a bad join with an error frame and keeps the socket', async () => {
    const client = await connect(relayA);
    const bad = await client.join('conversations/nope');
    assert.equal(bad.type, 'error');
    assert.equal(bad.code, 'bad-conversation');
    const badResume = await client.join(conversation(), 'not-an-id');
    assert.equal(badResume.code, 'bad-resume-point');
    client.send({ type: 'dance' });
    await client.waitFor((frames) => frames.some((f) => f.code === 'unknown-type'));
    client.ws.send('{not json');
    await client.waitFor((frames) => frames.some((f) => f.code === 'bad-frame'));
    assert.equal((await client.join(conversation())).type, 'joined');
  });

  it('stops delivering after leave', async () => {
    const name = conversation();
    const leaving = await connect(relayA);
    const staying = await connect(relayA);
    await leaving.join(name);
    await staying.join(name);
    assert.equal((await leaving.leave(name)).type, 'left');
    await publish(name);
    await staying.eventCount(1);
    leaving.send({ type: 'ping', ref: 'p' });
    await leaving.reply('p');
    assert.equal(leaving.events.length, 0);
  });

  it('refuses an upgrade without a valid token with 401 before the handshake', async () => {
    for (const headers of [{}, { Authorization: 'Bearer nonsense' }, { Authorization: `Bearer ${relayA.token()}x` }]) {
      const status = await new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(relayA.wsUrl, { headers });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => reject(new Error('opened')));
        ws.on('error', () => undefined);
      });
      assert.equal(status, 401);
    }
  });

  it('accepts the token as a bearer.<JWT> subprotocol next to aa-relay.v1 (browsers)', async () => {
    const ws = new WebSocket(relayA.wsUrl, ['aa-relay.v1', `bearer.${relayA.token()}`]);
    const hello = await new Promise<string>((resolve, reject) => {
      ws.once('message', (data) => resolve(data.toString()));
      ws.once('error', reject);
    });
    assert.equal(ws.protocol, 'aa-relay.v1');
    assert.equal(JSON.parse(hello).type, 'hello');
    ws.close();
  });

  it('answers /status, /healthz and /readyz', async () => {
    const status = await fetch(`${relayA.url}/status`);
    assert.equal(status.status, 200);
    assert.ok((await status.text()).length > 0);
    assert.equal((await fetch(`${relayA.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${relayA.url}/readyz`)).status, 200);
  });

  it('survives Redis loss: 503 while down, retried deliveries arrive after, relays resubscribe on their own', async () => {
    const name = conversation();
    const onA = await connect(relayA);
    const onB = await connect(relayB);
    await onA.join(name);
    await onB.join(name);
    await publish(name);
    await onA.eventCount(1);
    await onB.eventCount(1);

    await redis.stop();
    const retried = [nextMessageId(), nextMessageId()];
    try {
      for (const id of retried) assert.equal(await publish(name, id), 503);
      assert.equal((await fetch(`${relayA.url}/readyz`)).status, 503);
    } finally {
      await redis.start();
    }
    // Pub/Sub redelivers until acknowledged.
    for (const id of retried) {
      let status = 0;
      for (let attempt = 0; attempt < 100 && status !== 204; attempt++) {
        status = await publish(name, id);
        if (status !== 204) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal(status, 204);
    }
    for (const client of [onA, onB]) {
      const events = await client.eventCount(3);
      assert.deepEqual(events.slice(1).map((e) => e.messageId), retried);
    }
    // Live delivery works again without any client action.
    const after = nextMessageId();
    await publish(name, after);
    for (const client of [onA, onB]) assert.equal((await client.eventCount(4))[3].messageId, after);
  });

  it('on shutdown closes desktops with the reconnect code; resuming on another relay misses nothing', async () => {
    const extra = await startServer({ REDIS_URL: redis.url, RELAY_SHUTDOWN_SECONDS: '2' }, { mountFunctions: false });
    const name = conversation();
    const client = await NativeClient.connect(extra.wsUrl, extra.token());
    await client.join(name);
    await publish(name);
    const [seen] = await client.eventCount(1);
    const closing = extra.close();
    assert.equal(await client.closed(), CLOSE.SERVICE_RESTART);
    await closing;
    const missed = [nextMessageId(), nextMessageId()];
    for (const id of missed) await publish(name, id);
    const resumed = await connect(relayB);
    await resumed.join(name, String(seen.id));
    assert.deepEqual((await resumed.eventCount(2)).map((e) => e.messageId), missed);
  });
});
