/**
 * The Socket.IO contract the Python UI connector offered, against the relay with real Redis and the real
 * socket.io-client v4: handshake, refusal, acknowledgements, and each event's payload byte for byte.
 */
import assert from 'node:assert/strict';
import { signToken } from '../src/auth/jwt';
import { DATA_TYPES, type DataType } from '../src/broker/event';
import { nextMessageId, notification, pushEnvelope } from './helpers/events';
import { RedisServer } from './helpers/redis-server';
import { SioDesktop } from './helpers/socketio-client';
import { NativeClient, postEvent, startServer, type RunningServer } from './helpers/stack';

/** socket.io-parser packet types, as the client's Manager reports them. */
const EVENT = 2;
const CONNECT_ERROR = 4;
const PUBLISH_TIME = '2026-11-21T10:00:00.000Z';
const DESKTOP_ORIGIN = 'https://desktop.example.com';

let counter = 0;
function conversationName(location?: string): { name: string; key: string } {
  counter += 1;
  const id = `sio-contract-${process.pid}-${counter}`;
  return {
    name: location ? `projects/test-project/locations/${location}/conversations/${id}` : `projects/test-project/conversations/${id}`,
    key: `projects/test-project/conversations/${id}`,
  };
}

describe('Socket.IO endpoint: the Python UI connector contract', function () {
  this.timeout(30_000);
  let redis: RedisServer;
  let server: RunningServer;
  const desktops: SioDesktop[] = [];

  before(async () => {
    redis = await RedisServer.start();
    server = await startServer({ REDIS_URL: redis.url, CORS_ALLOWED_ORIGINS: DESKTOP_ORIGIN });
  });

  afterEach(() => {
    for (const desktop of desktops.splice(0)) desktop.close();
  });

  after(async () => {
    await server?.close();
    await redis?.destroy();
  });

  async function connect(options: Parameters<typeof SioDesktop.connect>[2] = {}): Promise<SioDesktop> {
    const desktop = await SioDesktop.connect(server.url, server.token(), options);
    desktops.push(desktop);
    return desktop;
  }

  it('answers GET /status with 200 and a short body', async () => {
    const response = await fetch(`${server.url}/status`);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'Hello, cross-origin-world!');
  });

  for (const transport of ['websocket', 'polling'] as const) {
    it(`accepts a good token over ${transport} and serves room requests on it`, async () => {
      const desktop = await connect({ transports: [transport] });
      assert.equal(desktop.socket.io.engine.transport.name, transport);
      const { name, key } = conversationName('global');
      assert.deepEqual(await desktop.join(name), [true, key]);
    });
  }

  it('upgrades a polling session to WebSocket, as a browser client does by default', async () => {
    const desktop = await connect({ transports: ['polling', 'websocket'] });
    const engine = desktop.socket.io.engine;
    if (engine.transport.name !== 'websocket') await new Promise((resolve) => engine.once('upgrade', resolve));
    assert.equal(engine.transport.name, 'websocket');
  });

  it('allows the configured origins on the handshake, and no others', async () => {
    const handshake = (origin: string) => fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin } });
    const allowed = await handshake(DESKTOP_ORIGIN);
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get('access-control-allow-origin'), DESKTOP_ORIGIN);
    await allowed.arrayBuffer();
    const other = await handshake('https://elsewhere.example.com');
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    await other.arrayBuffer();
  });

  it('leaves the native /ws upgrade to the relay while Socket.IO is attached', async () => {
    const desktop = await connect();
    const native = await NativeClient.connect(server.wsUrl, server.token());
    try {
      assert.equal(native.frames[0].type, 'hello');
      assert.equal(desktop.socket.connected, true);
    } finally {
      native.close();
    }
  });

  describe('a refused handshake', () => {
    const forged = (): string => {
      const jwt = server.context.jwt;
      const wrongKey = { kid: jwt.keys[0].kid, secret: Buffer.from('another-secret-that-is-long-enough-987654321') };
      return signToken({ ...jwt, keys: [wrongKey] }, 'mallory').token;
    };
    const cases: Array<[string, () => string | undefined, string]> = [
      ['missing', () => undefined, 'missing token'],
      ['malformed', () => 'not-a-jwt', 'malformed token'],
      ['forged', forged, 'invalid token'],
      ['expired', () => signToken(server.context.jwt, 'agent', Date.now() - 3 * 3600 * 1000).token, 'token expired'],
    ];

    for (const [label, token, reason] of cases) {
      it(`${label} token: unauthenticated to that socket alone, then connect_error`, async () => {
        const bystander = await connect();
        const refused = SioDesktop.open(server.url, token());
        desktops.push(refused);
        const packets: Array<{ type: number; data?: unknown }> = [];
        refused.socket.io.on('packet', (packet) => packets.push(packet));

        const error = await refused.connected().then(
          () => assert.fail('the handshake was accepted'),
          (e: Error & { data?: unknown }) => e,
        );
        assert.equal(error.message, 'authentication failed');
        assert.deepEqual(error.data, { reason });
        assert.equal(refused.socket.connected, false);
        // On the wire, exactly as from the Python connector: the event, then the refusal.
        assert.deepEqual(
          packets.map((p) => [p.type, p.data]),
          [
            [EVENT, ['unauthenticated']],
            [CONNECT_ERROR, { message: 'authentication failed', data: { reason } }],
          ],
        );
        // A round trip on the bystander's socket: anything sent to it before is in by now.
        const { name, key } = conversationName();
        assert.deepEqual(await bystander.join(name), [true, key]);
        assert.deepEqual(bystander.received.map((r) => r.event), []);
      });
    }
  });

  describe('join-conversation and leave-conversation', () => {
    it('acknowledge (true, name without location) for both spellings of a name', async () => {
      const desktop = await connect();
      const withLocation = conversationName('us-central1');
      const without = conversationName();
      assert.deepEqual(await desktop.join(withLocation.name), [true, withLocation.key]);
      assert.deepEqual(await desktop.join(without.name), [true, without.key]);
      assert.deepEqual(await desktop.leave(withLocation.name), [true, withLocation.key]);
      assert.deepEqual(await desktop.leave(without.key), [true, without.key]);
    });

    it('acknowledge (false, reason) for a malformed name, and the socket stays usable', async () => {
      const desktop = await connect();
      for (const bad of ['', 'projects/p/conversation/c', 'conversations/c', 42, null]) {
        const [ok, reason] = await desktop.join(bad);
        assert.equal(ok, false, `join ${JSON.stringify(bad)}`);
        assert.match(reason, /conversation name must/);
        assert.deepEqual(await desktop.leave(bad), [false, reason]);
      }
      const { name, key } = conversationName();
      assert.deepEqual(await desktop.join(name), [true, key]);
      assert.equal(desktop.socket.connected, true);
    });

    it('no longer delivers a conversation after leave-conversation', async () => {
      const desktop = await connect();
      const left = conversationName();
      const kept = conversationName();
      await desktop.join(left.name);
      await desktop.join(kept.name);
      await desktop.leave(left.name);
      assert.equal(await postEvent(server.url, '/new-message-event', pushEnvelope(notification('new-message-event', left.name))), 204);
      assert.equal(await postEvent(server.url, '/new-message-event', pushEnvelope(notification('new-message-event', kept.name))), 204);
      await desktop.eventCount(kept.key, 1);
      assert.deepEqual(desktop.eventsOf(left.key), []);
    });
  });

  describe('events', () => {
    /** The payload as the Python interceptor's `msg_data` dict built it, in its key order. */
    function fixture(type: DataType, key: string, data: string, messageId: string, ackTime: string, attributes: Record<string, string>): object {
      const base = { conversation_name: key, data, data_type: type, ack_time: ackTime, publish_time: PUBLISH_TIME, message_id: messageId };
      if (type !== 'new-recognition-result-notification-event') return base;
      return { ...base, participant_role: attributes.participant_role ?? '', new_recognition_result_message_id: attributes.message_id ?? '' };
    }

    for (const type of DATA_TYPES) {
      it(`${type}: named after its data type, payload byte-identical to the documented shape`, async () => {
        const desktop = await connect();
        const frames: string[] = [];
        desktop.socket.io.engine.on('message', (data) => frames.push(String(data)));
        const { name, key } = conversationName('global');
        await desktop.join(name);

        const body = notification(type, name);
        const messageId = nextMessageId();
        const attributes: Record<string, string> =
          type === 'new-recognition-result-notification-event' ? { participant_role: 'END_USER', message_id: 'rec-42' } : {};
        const before = Math.floor(Date.now() / 1000) * 1000;
        assert.equal(await postEvent(server.url, `/${type}`, pushEnvelope(body, { messageId, attributes })), 204);
        const after = Date.now();
        const [received] = await desktop.eventCount(key, 1);

        assert.equal(received.event, type);
        const ackTime = String(received.payload.ack_time);
        assert.match(ackTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        assert.ok(Date.parse(ackTime) >= before && Date.parse(ackTime) <= after, `ack_time ${ackTime} is when the function received it`);
        const expected = fixture(type, key, JSON.stringify(body), messageId, ackTime, attributes);
        const eventFrames = frames.filter((frame) => frame.startsWith('2['));
        assert.deepEqual(eventFrames, [`2${JSON.stringify([type, expected])}`]);
        assert.equal(typeof received.payload.data, 'string');
      });
    }

    it('recognition results without attributes carry empty strings, as the Python interceptor did', async () => {
      const desktop = await connect();
      const { name, key } = conversationName();
      await desktop.join(name);
      const type = 'new-recognition-result-notification-event';
      assert.equal(await postEvent(server.url, `/${type}`, pushEnvelope(notification(type, name))), 204);
      const [received] = await desktop.eventCount(key, 1);
      assert.equal(received.payload.participant_role, '');
      assert.equal(received.payload.new_recognition_result_message_id, '');
    });
  });
});
