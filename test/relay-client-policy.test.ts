/**
 * The client's close-code policy, backoff and event id order, and its heartbeat: a connection that goes
 * silent without closing (frozen behind a TCP proxy) is given up and resumed; a relay that never says
 * hello is given up too; a close code that means "don't" stops the client.
 */
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { backoffDelay, compareEventIds, reactionTo } from '../src/client/policy';
import { RelayClient } from '../src/client/relay-client';
import { ClientRecorder } from './helpers/client-recorder';
import { nextMessageId, pushEnvelope } from './helpers/events';
import { TEST_PROJECT, postEvent, startServer, type RunningServer } from './helpers/stack';
import { Signal } from './helpers/signal';
import { TcpProxy } from './helpers/tcp-proxy';

describe('relay client: close codes, backoff, event ids', () => {
  it('follows docs/relay-protocol.md: 1012 at once, 4001 with a fresh token, backoff on 1006/4008/1011/1013, stop otherwise', () => {
    assert.equal(reactionTo(1012), 'now');
    assert.equal(reactionTo(4001), 'renew');
    for (const code of [1000, 1001, 1005, 1006, 1011, 1013, 1014, 4008]) assert.equal(reactionTo(code), 'backoff', String(code));
    for (const code of [1002, 1003, 1007, 1008, 1009, 1010, 3000, 3003, 4000, 4003, 4403, 4999]) assert.equal(reactionTo(code), 'stop', String(code));
  });

  it('backoff doubles from the minimum, keeps to the upper half of its ceiling, and never passes the maximum', () => {
    const bounds = { minMs: 500, maxMs: 20_000 };
    assert.deepEqual([0, 1, 2, 3, 6, 7, 50, 5000].map((n) => backoffDelay(n, bounds, () => 1)), [500, 1000, 2000, 4000, 20_000, 20_000, 20_000, 20_000]);
    assert.deepEqual([0, 1, 2, 6].map((n) => backoffDelay(n, bounds, () => 0)), [250, 500, 1000, 10_000]);
    for (let i = 0; i < 200; i++) assert.ok(backoffDelay(i % 40, bounds) <= 20_000);
  });

  it('orders event ids numerically, by milliseconds then sequence', () => {
    assert.ok(compareEventIds('999-5', '1000-0') < 0, 'shorter milliseconds are older');
    assert.ok(compareEventIds('1763719200123-10', '1763719200123-9') > 0, 'sequence compared as a number');
    assert.equal(compareEventIds('1763719200123-0', '1763719200123-0'), 0);
  });

  it('validates its options', () => {
    assert.throws(() => new RelayClient({ url: 'http://x/ws', getToken: () => 't', WebSocket }), /ws:\/\/ or wss:\/\//);
    assert.throws(() => new RelayClient({ url: 'ws://x/ws', getToken: 'nope' as never, WebSocket }), /getToken/);
    assert.throws(() => new RelayClient({ url: 'ws://x/ws', getToken: () => 't' }), /pass one as the WebSocket option/);
    assert.throws(() => new RelayClient({ url: 'ws://x/ws', getToken: () => 't', WebSocket, minReconnectDelayMs: 10, maxReconnectDelayMs: 5 }), /at least/);
  });
});

describe('relay client: dead connections and final closes', function () {
  this.timeout(30_000);
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('a connection that goes silent is given up by heartbeat, and the client resumes with nothing lost', async () => {
    const server: RunningServer = await startServer();
    cleanup.push(() => server.close());
    const proxy = await TcpProxy.start(Number(new URL(server.url).port));
    cleanup.push(() => proxy.close());
    const recorder = new ClientRecorder(
      new RelayClient({ url: `ws://127.0.0.1:${proxy.port}/ws`, getToken: () => server.token(), WebSocket, heartbeatMs: 200, heartbeatTimeoutMs: 300, minReconnectDelayMs: 50 }),
    );
    cleanup.push(() => recorder.client.close());
    const name = `projects/${TEST_PROJECT}/conversations/heartbeat-${process.pid}`;
    const sub = recorder.subscribe(name);
    const post = async (): Promise<string> => {
      const messageId = nextMessageId();
      assert.equal(await postEvent(server.url, '/new-message-event', pushEnvelope({ conversation: name, type: 'NEW_MESSAGE' }, { messageId })), 204);
      return messageId;
    };
    const posted = [await post()];
    await recorder.eventCount(sub, 1);

    proxy.freeze();
    const frozenAt = Date.now();
    posted.push(await post(), await post());
    await recorder.until(() => recorder.states.some((s) => s.detail.reason === 'no answer to the heartbeat'), 5000, 'heartbeat timeout');
    assert.ok(Date.now() - frozenAt < 2000, `found dead within heartbeat + timeout (${Date.now() - frozenAt} ms)`);
    await recorder.state('connected', 2);
    posted.push(await post());
    const events = await recorder.eventCount(sub, posted.length);
    assert.deepEqual(events.map((e) => e.messageId), posted);
    assert.equal(proxy.connections, 2);
  });

  it('gives up an attempt when the relay never says hello', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket)); // accepts TCP, never answers the upgrade
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => silent.close(resolve)));
    cleanup.push(() => sockets.forEach((socket) => socket.destroy()));
    const port = (silent.address() as { port: number }).port;
    const recorder = new ClientRecorder(new RelayClient({ url: `ws://127.0.0.1:${port}/ws`, getToken: () => 't.e.st', WebSocket, connectTimeoutMs: 300, minReconnectDelayMs: 50 }));
    cleanup.push(() => recorder.client.close());
    await recorder.state('disconnected');
    assert.equal(recorder.states.find((s) => s.state === 'disconnected')?.detail.reason, 'no hello from the relay in time');
    await recorder.state('connecting', 2);
  });

  for (const [code, expected] of [
    [4403, 'closed'],
    [1008, 'closed'],
    [1013, 'disconnected'],
    [1011, 'disconnected'],
    [4008, 'disconnected'],
  ] as const) {
    it(`a close with ${code} after hello → ${expected}`, async () => {
      const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => 'aa-relay.v1' });
      cleanup.push(() => new Promise((resolve) => wss.close(resolve)));
      let connections = 0;
      wss.on('connection', (ws) => {
        connections += 1;
        ws.send(JSON.stringify({ type: 'hello', protocol: 'aa-relay.v1', user: 'u' }));
        if (connections === 1) setTimeout(() => ws.close(code, 'test'), 20);
      });
      await new Promise((resolve) => wss.once('listening', resolve));
      const port = (wss.address() as { port: number }).port;
      const recorder = new ClientRecorder(new RelayClient({ url: `ws://127.0.0.1:${port}/ws`, getToken: () => 't', WebSocket, minReconnectDelayMs: 20 }));
      cleanup.push(() => recorder.client.close());
      const sub = recorder.subscribe('projects/p/conversations/c');
      await recorder.state('connected');
      await recorder.state(expected);
      const change = recorder.states.find((s) => s.state === expected)!;
      assert.equal(change.detail.code, code);
      if (expected === 'closed') {
        assert.equal(recorder.client.state, 'closed');
        assert.throws(() => recorder.client.subscribe(`projects/p/conversations/c`), /closed/);
        assert.equal(connections, 1, 'no reconnect after a "don\'t" code');
        const [error] = recorder.errors.get(sub)!;
        assert.equal(error.code, 'connection-closed');
        assert.equal(error.retrying, false);
        assert.match(error.message, new RegExp(`closed the connection with ${code}`));
        assert.equal(sub.active, false);
      } else {
        assert.ok(change.detail.delayMs! > 0, 'with a backoff delay');
        await recorder.state('connected', 2);
        assert.equal(recorder.errors.get(sub)!.length, 0);
        assert.equal(sub.active, true);
      }
    });
  }

  /** A stand-in relay speaking the native protocol as each test scripts it; records the frames it received. */
  async function standIn(onFrame: (ws: WebSocket, frame: Record<string, unknown>, connection: number) => void): Promise<{
    url: string;
    received: Array<Record<string, unknown> & { connection: number; at: number }>;
    until: (predicate: () => boolean) => Promise<void>;
  }> {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => 'aa-relay.v1' });
    cleanup.push(() => new Promise((resolve) => wss.close(resolve)));
    const received: Array<Record<string, unknown> & { connection: number; at: number }> = [];
    const signal = new Signal();
    let connections = 0;
    wss.on('connection', (ws) => {
      const connection = ++connections;
      ws.on('message', (raw) => {
        const frame = JSON.parse(raw.toString()) as Record<string, unknown>;
        received.push({ ...frame, connection, at: Date.now() });
        onFrame(ws, frame, connection);
        signal.notify();
      });
      ws.send(JSON.stringify({ type: 'hello', protocol: 'aa-relay.v1', user: 'u' }));
    });
    await new Promise((resolve) => wss.once('listening', resolve));
    return {
      url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}/ws`,
      received,
      until: (predicate) => signal.until(predicate, 5000, () => JSON.stringify(received).slice(-400)),
    };
  }

  const event = (id: string, conversation: string): string =>
    JSON.stringify({ type: 'event', id, conversation, dataType: 'new-message-event', messageId: `m${id}`, publishTime: '', ackTime: '', attributes: {}, data: { type: 'NEW_MESSAGE' } });

  it('drops events at or before the last one handed over, even when a relay replays them, and resumes with after', async () => {
    const name = 'projects/p/conversations/dedupe';
    const relay = await standIn((ws, frame, connection) => {
      if (frame.type !== 'join') return;
      // Ignores `after` and replays everything: the client must not hand over 1-0 or 2-0 again.
      const ids = connection === 1 ? ['1-0', '2-0'] : ['1-0', '2-0', '3-0', '10-0'];
      for (const id of ids) ws.send(event(id, name));
      ws.send(JSON.stringify({ type: 'joined', ref: frame.ref, conversation: name, replayed: ids.length }));
      if (connection === 1) setTimeout(() => ws.close(1012, 'restart'), 20);
    });
    const recorder = new ClientRecorder(new RelayClient({ url: relay.url, getToken: () => 't', WebSocket }));
    cleanup.push(() => recorder.client.close());
    const sub = recorder.subscribe(name);
    const events = await recorder.eventCount(sub, 4);
    assert.deepEqual(events.map((e) => e.id), ['1-0', '2-0', '3-0', '10-0']);
    const joins = relay.received.filter((frame) => frame.type === 'join');
    assert.deepEqual(joins.map((frame) => [frame.connection, frame.after]), [[1, undefined], [2, '2-0']]);
    assert.equal(sub.lastEventId, '10-0');
  });

  it('an unavailable join is reported as retrying and joined again; a leave waits for its join to be answered', async () => {
    const name = 'projects/p/conversations/retry';
    const other = 'projects/p/conversations/left-early';
    let joinsOfName = 0;
    const answeredAt = new Map<string, number>();
    const relay = await standIn((ws, frame) => {
      if (frame.type === 'join' && frame.conversation === name && ++joinsOfName === 1) {
        ws.send(JSON.stringify({ type: 'error', ref: frame.ref, code: 'unavailable', message: 'could not join now; retry' }));
      } else if (frame.type === 'join') {
        // Answered late, so the unsubscribe below happens while this join is in flight.
        setTimeout(() => {
          answeredAt.set(String(frame.conversation), Date.now());
          ws.send(JSON.stringify({ type: 'joined', ref: frame.ref, conversation: frame.conversation, replayed: 0 }));
        }, 100);
      } else if (frame.type === 'leave') {
        ws.send(JSON.stringify({ type: 'left', ref: frame.ref, conversation: frame.conversation }));
      }
    });
    const recorder = new ClientRecorder(new RelayClient({ url: relay.url, getToken: () => 't', WebSocket, minReconnectDelayMs: 40 }));
    cleanup.push(() => recorder.client.close());
    const sub = recorder.subscribe(name);
    const joined = new Promise<void>((resolve) => sub.on('joined', () => resolve()));
    await recorder.until(() => recorder.errors.get(sub)!.length === 1);
    const [error] = recorder.errors.get(sub)!;
    assert.equal(error.code, 'unavailable');
    assert.equal(error.retrying, true);
    assert.equal(sub.active, true);
    await joined;
    assert.equal(joinsOfName, 2);

    const early = recorder.subscribe(other);
    await relay.until(() => relay.received.some((frame) => frame.type === 'join' && frame.conversation === other));
    early.unsubscribe();
    await relay.until(() => relay.received.some((frame) => frame.type === 'leave'));
    const order = relay.received.filter((frame) => frame.conversation === other).map((frame) => frame.type);
    assert.deepEqual(order, ['join', 'leave']);
    const leave = relay.received.find((frame) => frame.type === 'leave')!;
    assert.equal(leave.conversation, other);
    assert.ok(leave.at >= answeredAt.get(other)!, 'the leave was sent only once the join was answered');
  });
});

