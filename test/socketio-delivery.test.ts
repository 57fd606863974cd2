/**
 * What the Socket.IO endpoint does better than the Python UI connector, with real socket.io-client v4
 * desktops, relays sharing one real Redis: every desktop on every relay gets every event once, late
 * joiners get history, a re-join with the last `message_id` gets exactly what was missed, a re-join on
 * the same connection never duplicates, SIGTERM makes clients reconnect, slow consumers are closed.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { buildServer, type BuiltServer } from '../src/app/server';
import { createLogger } from '../src/log';
import { notification, pushEnvelope } from './helpers/events';
import { RedisServer } from './helpers/redis-server';
import { SioDesktop, type Received } from './helpers/socketio-client';
import { postEvent, startServer, TEST_PROJECT, TEST_SECRET, type RunningServer } from './helpers/stack';

let counter = 0;
function conversation(): { name: string; key: string } {
  counter += 1;
  const id = `sio-delivery-${process.pid}-${counter}`;
  return { name: `projects/${TEST_PROJECT}/locations/global/conversations/${id}`, key: `projects/${TEST_PROJECT}/conversations/${id}` };
}

const ids = (events: Received[]): string[] => events.map((e) => String(e.payload.message_id));

describe('Socket.IO endpoint: delivery across relays, history and resume', function () {
  this.timeout(30_000);
  let redis: RedisServer;
  let relayA: RunningServer;
  let relayB: RunningServer;
  const desktops: SioDesktop[] = [];

  before(async () => {
    redis = await RedisServer.start();
    relayA = await startServer({ REDIS_URL: redis.url });
    relayB = await startServer({ REDIS_URL: redis.url });
  });

  afterEach(() => {
    for (const desktop of desktops.splice(0)) desktop.close();
  });

  after(async () => {
    await relayA?.close();
    await relayB?.close();
    await redis?.destroy();
  });

  async function desktopOn(relay: { url: string }, options: Parameters<typeof SioDesktop.connect>[2] = {}): Promise<SioDesktop> {
    const desktop = await SioDesktop.connect(relay.url, relayA.token(), options);
    desktops.push(desktop);
    return desktop;
  }

  /** Posts a new-message event for `name` through `via`'s event function; resolves with its message id. */
  async function publish(via: { url: string }, name: string): Promise<string> {
    const envelope = pushEnvelope(notification('new-message-event', name));
    assert.equal(await postEvent(via.url, '/new-message-event', envelope), 204);
    return (envelope.message as { messageId: string }).messageId;
  }

  it('gives every event once to every desktop of a conversation, on either relay', async () => {
    const { name, key } = conversation();
    const onA = [await desktopOn(relayA), await desktopOn(relayA, { transports: ['polling'] })];
    const onB = [await desktopOn(relayB)];
    for (const desktop of [...onA, ...onB]) assert.deepEqual(await desktop.join(name), [true, key]);
    const sent: string[] = [];
    for (let i = 0; i < 6; i++) sent.push(await publish(i % 2 === 0 ? relayA : relayB, name));
    for (const desktop of [...onA, ...onB]) assert.deepEqual(ids(await desktop.eventCount(key, 6)), sent);

    // One desktop leaving never silences the others (the Python connector's last joiner owned a room).
    onA[0].close();
    sent.push(await publish(relayB, name));
    for (const desktop of [onA[1], ...onB]) assert.deepEqual(ids(await desktop.eventCount(key, 7)), sent);
  });

  it('replays to a late joiner the events published before it joined, once', async () => {
    const { name, key } = conversation();
    const sent = [await publish(relayA, name), await publish(relayB, name), await publish(relayA, name)];
    const desktop = await desktopOn(relayB);
    assert.deepEqual(await desktop.join(name), [true, key]);
    // Replayed events are emitted before the acknowledgement, so they are all in.
    assert.deepEqual(ids(desktop.eventsOf(key)), sent);
    sent.push(await publish(relayA, name));
    assert.deepEqual(ids(await desktop.eventCount(key, 4)), sent);
  });

  it('never repeats an event on the same connection, through re-joins and leaves', async () => {
    const { name, key } = conversation();
    const desktop = await desktopOn(relayA);
    await desktop.join(name);
    const sent = [await publish(relayA, name), await publish(relayB, name)];
    await desktop.eventCount(key, 2);
    assert.deepEqual(await desktop.join(name), [true, key]);
    await desktop.leave(name);
    sent.push(await publish(relayA, name));
    assert.deepEqual(await desktop.join(name), [true, key]);
    // The event published while it was out of the room is given (once); nothing it had is given again.
    assert.deepEqual(ids(await desktop.eventCount(key, 3)), sent);
    sent.push(await publish(relayB, name));
    assert.deepEqual(ids(await desktop.eventCount(key, 4)), sent);
  });

  for (const form of ['extra argument', 'object'] as const) {
    it(`re-join with the last message_id (${form} form) after a reconnect gets exactly what was missed`, async () => {
      const { name, key } = conversation();
      const first = await desktopOn(relayA);
      await first.join(name);
      await publish(relayA, name);
      await publish(relayB, name);
      const last = ids(await first.eventCount(key, 2)).at(-1)!;
      first.close();
      const missed = [await publish(relayB, name), await publish(relayA, name)];

      const second = await desktopOn(relayB);
      const ack = form === 'object' ? await second.join({ conversation_name: name, last_message_id: last }) : await second.join(name, last);
      assert.deepEqual(ack, [true, key]);
      assert.deepEqual(ids(second.eventsOf(key)), missed);
      missed.push(await publish(relayA, name));
      assert.deepEqual(ids(await second.eventCount(key, 3)), missed);
    });
  }

  it('re-join with a message_id history no longer holds replays what history holds', async () => {
    const { name, key } = conversation();
    const sent = [await publish(relayA, name)];
    const desktop = await desktopOn(relayA);
    assert.deepEqual(await desktop.join(name, 'trimmed-long-ago'), [true, key]);
    assert.deepEqual(ids(desktop.eventsOf(key)), sent);
    assert.deepEqual(await desktop.join(name, { not: 'an id' }), [false, 'last_message_id must be the message_id of an event this client received']);
  });

  describe('shutdown and slow consumers', () => {
    async function buildOn(port: number, env: Record<string, string> = {}): Promise<BuiltServer & { url: string }> {
      const built = await buildServer({
        env: { JWT_SECRET: TEST_SECRET, GCP_PROJECT_ID: TEST_PROJECT, HOST: '127.0.0.1', PORT: '0', REDIS_URL: redis.url, ...env },
        local: false,
        mountFunctions: true,
        log: createLogger('test-sio'),
      });
      built.relay.server.listen(port, '127.0.0.1');
      await once(built.relay.server, 'listening');
      const address = built.relay.server.address();
      return Object.assign(built, { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}` });
    }

    for (const transport of ['websocket', 'polling'] as const) {
      it(`SIGTERM drain (${transport}): the client reconnects by itself, and resumes with its last message_id`, async () => {
        const first = await buildOn(0);
        const port = Number(new URL(first.url).port);
        const { name, key } = conversation();
        const desktop = await desktopOn(first, { transports: [transport], reconnection: true, reconnectionDelay: 20, reconnectionDelayMax: 50, randomizationFactor: 0 });
        await desktop.join(name);
        await publish(relayB, name);
        const last = ids(await desktop.eventCount(key, 1)).at(-1)!;

        const disconnected = new Promise<string>((resolve) => desktop.socket.once('disconnect', resolve));
        await first.close();
        const reason = await disconnected;
        // Not "io server disconnect", the one reason socket.io-client does not reconnect after. A polling
        // client between two requests finds the port already closed, hence a transport error.
        assert.ok(transport === 'websocket' ? reason === 'transport close' : /^transport (close|error)$/.test(reason), reason);
        assert.equal(desktop.socket.active, true, 'socket.io-client schedules a reconnection');

        const missed = [await publish(relayB, name), await publish(relayB, name)];
        const second = await buildOn(port);
        try {
          // A reconnection attempt begun before the new relay listened fails on its own; the client retries,
          // so only its eventual `connect` counts here.
          await new Promise<void>((resolve) => (desktop.socket.connected ? resolve() : desktop.socket.once('connect', () => resolve())));
          assert.deepEqual(await desktop.join(name, last), [true, key]);
          assert.deepEqual(ids(desktop.eventsOf(key)).slice(1), missed);
        } finally {
          desktop.close();
          await second.close();
        }
      });
    }

    it('closes a desktop that does not read, so it reconnects and resumes', async () => {
      const relay = await buildOn(0, { RELAY_MAX_BUFFERED_BYTES: '2048', METRICS_TOKEN: 'test-metrics-token' });
      try {
        const { name, key } = conversation();
        const poll = `${relay.url}/socket.io/?EIO=4&transport=polling`;
        // A raw engine.io polling client that connects, joins, then never collects what it is sent.
        const open = await (await fetch(poll)).text();
        const sid = (JSON.parse(open.slice(1)) as { sid: string }).sid;
        const send = async (packet: string): Promise<void> => {
          const response = await fetch(`${poll}&sid=${sid}`, { method: 'POST', body: packet, headers: { 'content-type': 'text/plain' } });
          assert.equal(await response.text(), 'ok');
        };
        const receive = async (): Promise<string> => (await fetch(`${poll}&sid=${sid}`)).text();
        await send(`40${JSON.stringify({ token: relayA.token() })}`);
        assert.match(await receive(), /^40\{"sid"/);
        await send(`420${JSON.stringify(['join-conversation', name])}`);
        assert.equal(await receive(), `430${JSON.stringify([true, key])}`);

        for (let i = 0; i < 12; i++) await publish(relayB, name);
        // Nothing to await on a client that reads nothing: watch the relay's counter, bounded.
        const deadline = Date.now() + 10_000;
        let metrics = '';
        const closedSlow = /relay_slow_consumer_closes_total\{protocol="socketio"\} 1/;
        for (;;) {
          metrics = await (await fetch(`${relay.url}/metrics`, { headers: { authorization: 'Bearer test-metrics-token' } })).text();
          if (closedSlow.test(metrics) || Date.now() > deadline) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        assert.match(metrics, closedSlow);
        const after = await fetch(`${poll}&sid=${sid}`);
        assert.equal(after.status, 400, 'the session is gone');
        await after.arrayBuffer();
      } finally {
        await relay.close();
      }
    });
  });
});
