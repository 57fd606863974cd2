/**
 * The relay against clients that misbehave, on both protocols, over real sockets: joins sent twice or
 * raced by leaves, clients that never read, floods of frames, a relay shutting down, and notifications
 * near Pub/Sub's 10 MB limit.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect as netConnect, type Socket } from 'node:net';
import { createClient } from '@redis/client';
import WebSocket from 'ws';
import { CLOSE } from '../src/relay/native';
import { nextMessageId, pushEnvelope } from './helpers/events';
import { RedisServer } from './helpers/redis-server';
import { SioDesktop } from './helpers/socketio-client';
import { NativeClient, postEvent, startServer, type RunningServer } from './helpers/stack';

const underlying = (client: NativeClient): Socket => (client.ws as unknown as { _socket: Socket })._socket;
let n = 0;
const conversationName = (): string => `projects/test-project/conversations/faults-${process.pid}-${n++}`;

async function until(predicate: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function total(server: RunningServer, name: 'connections' | 'slowConsumers'): Promise<number> {
  const metric = await server.relay.metrics[name].get();
  return metric.values.reduce((sum, value) => sum + value.value, 0);
}

async function publishMany(server: RunningServer, conversation: string, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    assert.equal(await postEvent(server.url, '/new-message-event', pushEnvelope({ conversation, i }, { messageId: nextMessageId() })), 204);
  }
}

describe('relay faults: racing joins', function () {
  this.timeout(30_000);
  let redis: RedisServer;
  let server: RunningServer;
  let watcher: ReturnType<typeof createClient>;
  before(async () => {
    redis = await RedisServer.start();
    server = await startServer({ REDIS_URL: redis.url, REDIS_CONNECT_WAIT_MS: '500', RELAY_CLIENT_FRAME_BURST: '5000' });
    watcher = createClient({ url: redis.url });
    await watcher.connect();
  });
  after(async () => {
    await watcher?.close();
    await server?.close();
    await redis?.destroy();
  });

  it('native: two joins back to back give each of 20 events once', async () => {
    const name = conversationName();
    await publishMany(server, name, 20);
    const client = await NativeClient.connect(server.wsUrl, server.token());
    try {
      client.send({ type: 'join', conversation: name, ref: 'a' });
      client.send({ type: 'join', conversation: name, ref: 'b' });
      const [first, second] = [await client.reply('a'), await client.reply('b')];
      assert.deepEqual([first.replayed, second.replayed], [20, 0]);
      await publishMany(server, name, 1);
      await client.eventCount(21);
      assert.equal(client.events.length, 21);
      assert.equal(new Set(client.events.map((e) => e.id)).size, 21);
    } finally {
      client.close();
    }
  });

  it('Socket.IO: two join-conversation back to back give each of 20 events once', async () => {
    const name = conversationName();
    await publishMany(server, name, 20);
    const desktop = await SioDesktop.connect(server.url, server.token());
    try {
      const acks = await Promise.all([desktop.join(name), desktop.join(name)]);
      assert.deepEqual(acks, [
        [true, name],
        [true, name],
      ]);
      await publishMany(server, name, 1);
      await desktop.eventCount(name, 21);
      assert.equal(desktop.eventsOf(name).length, 21);
      assert.equal(new Set(desktop.eventsOf(name).map((r) => r.payload.message_id)).size, 21);
    } finally {
      desktop.close();
    }
  });

  it('Socket.IO: 300 × join with a resume point then leave at once leave no room and no Redis channel', async () => {
    const desktop = await SioDesktop.connect(server.url, server.token());
    const names = Array.from({ length: 300 }, conversationName);
    try {
      await Promise.all(names.slice(0, 5).map((name) => publishMany(server, name, 1)));
      let most = 0;
      const sampler = setInterval(() => (most = Math.max(most, server.relay.hub.roomCount)), 1);
      const acks = await Promise.all(names.flatMap((name) => [desktop.join(name, 'some-message-id'), desktop.leave(name)]));
      clearInterval(sampler);
      // Joins past the per-socket cap (50 joined or joining at once) are refused; every other request succeeds.
      const refused = acks.filter(([ok]) => !ok);
      assert.ok(refused.every(([, reason]) => reason === 'at most 50 conversations per socket'), JSON.stringify(refused.slice(0, 3)));
      assert.ok(most <= 50, `${most} rooms at once`);
      assert.equal(server.relay.hub.roomCount, 0);
      assert.deepEqual(await watcher.pubSubChannels('aa:*'), []);
      const before = desktop.received.length;
      await publishMany(server, names[0], 1);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(desktop.received.length, before, 'nothing delivered for a conversation the socket left');
    } finally {
      desktop.close();
    }
  });

  it('native: join then leave at once, ×100, leaves nothing subscribed; the last join of a name wins', async () => {
    const client = await NativeClient.connect(server.wsUrl, server.token());
    const names = Array.from({ length: 100 }, conversationName);
    try {
      for (const [i, name] of names.entries()) {
        client.send({ type: 'join', conversation: name, after: '1-0', ref: `j${i}` });
        client.send({ type: 'leave', conversation: name, ref: `l${i}` });
      }
      client.send({ type: 'join', conversation: names[0], ref: 'last' });
      await client.reply('last');
      await client.reply('l99');
      assert.equal(server.relay.hub.roomCount, 1);
      assert.deepEqual(await watcher.pubSubChannels('aa:*'), [`aa:{${names[0]}}:c`]);
      client.close();
      await until(() => server.relay.hub.roomCount === 0);
      await until(async () => (await watcher.pubSubChannels('aa:*')).length === 0);
    } finally {
      client.close();
    }
  });
});

describe('relay faults: clients that never read or flood', function () {
  this.timeout(30_000);

  it('native: a client that never reads and sends 60 KB pings is closed as a slow consumer', async () => {
    const server = await startServer({ RELAY_MAX_BUFFERED_BYTES: '262144', RELAY_CLIENT_FRAME_BURST: '100000', RELAY_CLIENT_FRAMES_PER_SECOND: '100000' });
    try {
      const client = await NativeClient.connect(server.wsUrl, server.token());
      underlying(client).pause();
      const ref = 'r'.repeat(60 * 1024);
      for (let i = 0; i < 2000 && (await total(server, 'slowConsumers')) === 0; i += 1) {
        client.send({ type: 'ping', ref });
        if (i % 50 === 49) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      assert.equal(await total(server, 'slowConsumers'), 1);
      await until(async () => (await total(server, 'connections')) === 0);
      underlying(client).resume();
      const code = await client.closed();
      assert.ok(code === CLOSE.SLOW_CONSUMER || code === 1006, `close code ${code}`);
    } finally {
      await server.close();
    }
  });

  it('native: a flood of bad frames is closed with 4029 after the burst, not answered forever', async () => {
    const server = await startServer({ RELAY_CLIENT_FRAME_BURST: '50', RELAY_CLIENT_FRAMES_PER_SECOND: '10' });
    try {
      const client = await NativeClient.connect(server.wsUrl, server.token());
      for (let i = 0; i < 5000 && client.ws.readyState === WebSocket.OPEN; i += 1) client.ws.send('x');
      assert.equal(await client.closed(), CLOSE.TOO_MANY_FRAMES);
      const errors = client.frames.filter((f) => f.type === 'error').length;
      assert.ok(errors <= 51, `answered ${errors} bad frames`);
    } finally {
      await server.close();
    }
  });

  it('native: a flood of WebSocket pings spends the same budget and is closed with 4029', async () => {
    const server = await startServer({ RELAY_CLIENT_FRAME_BURST: '50', RELAY_CLIENT_FRAMES_PER_SECOND: '10', RELAY_HEARTBEAT_SECONDS: '3600' });
    try {
      const client = await NativeClient.connect(server.wsUrl, server.token());
      for (let i = 0; i < 2000 && client.ws.readyState === WebSocket.OPEN; i += 1) client.ws.ping();
      assert.equal(await client.closed(), CLOSE.TOO_MANY_FRAMES);
    } finally {
      await server.close();
    }
  });

  it('Socket.IO: a flood of packets disconnects the socket', async () => {
    const server = await startServer({ RELAY_CLIENT_FRAME_BURST: '50', RELAY_CLIENT_FRAMES_PER_SECOND: '10' });
    try {
      const desktop = await SioDesktop.connect(server.url, server.token());
      let reason = '';
      desktop.socket.on('disconnect', (why) => (reason = why));
      for (let i = 0; i < 500; i += 1) desktop.socket.emit('leave-conversation', 'projects/p/conversations/c');
      await until(() => reason !== '');
      assert.equal(reason, 'io server disconnect');
    } finally {
      await server.close();
    }
  });

  it('Socket.IO: a flood of CONNECT packets to a namespace the relay does not serve closes the connection', async () => {
    const server = await startServer({ RELAY_CLIENT_FRAME_BURST: '50', RELAY_CLIENT_FRAMES_PER_SECOND: '10' });
    try {
      // Spoken as the Engine.IO v4 and Socket.IO v5 protocols write it (https://socket.io/docs/v4/engine-io-protocol/,
      // https://socket.io/docs/v4/socket-io-protocol/): no token, since a namespace CONNECT is answered
      // before any middleware runs.
      const ws = new WebSocket(`${server.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
      const answers: string[] = [];
      ws.on('message', (data) => answers.push(String(data)));
      const closed = once(ws, 'close');
      await once(ws, 'open');
      await until(() => answers.some((a) => a.startsWith('0{')));
      for (let i = 0; i < 500 && ws.readyState === WebSocket.OPEN; i += 1) ws.send(`40/nope-${i},`);
      await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error('connection left open')), 5000))]);
      const refusals = answers.filter((a) => a.startsWith('44/nope-')).length;
      assert.ok(refusals > 0, 'the relay answered the first CONNECTs (CONNECT_ERROR)');
      assert.ok(refusals <= 60, `answered ${refusals} of 500 CONNECTs; the budget is a burst of 50`);
    } finally {
      await server.close();
    }
  });

  it('Socket.IO: a flood of upgrade probes spends the same budget and closes the connection, leaving no timer', async () => {
    // The intervals the relay starts from here on (engine.io checks a probed upgrade every 100 ms), to
    // see that each ends with what it belonged to.
    const running = new Set<unknown>();
    const { setInterval: realSet, clearInterval: realClear } = globalThis;
    globalThis.setInterval = ((...args: Parameters<typeof setInterval>) => {
      const timer = realSet(...args);
      running.add(timer);
      return timer;
    }) as typeof setInterval;
    globalThis.clearInterval = ((timer?: Parameters<typeof clearInterval>[0]) => {
      running.delete(timer);
      realClear(timer);
    }) as typeof clearInterval;
    try {
      const server = await startServer({ RELAY_CLIENT_FRAME_BURST: '50', RELAY_CLIENT_FRAMES_PER_SECOND: '10' });
      try {
        // An Engine.IO v4 polling session, then a WebSocket probing the upgrade (`2probe`, answered `3probe`).
        const base = `${server.url}/socket.io/?EIO=4&transport=polling`;
        const { sid } = JSON.parse((await (await fetch(base)).text()).slice(1)) as { sid: string };
        const ws = new WebSocket(`${server.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket&sid=${sid}`);
        let answers = 0;
        ws.on('message', (data) => (answers += String(data) === '3probe' ? 1 : 0));
        const closed = once(ws, 'close');
        await once(ws, 'open');
        for (let i = 0; i < 2000 && ws.readyState === WebSocket.OPEN; i += 1) ws.send('2probe');
        await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error('probe transport left open')), 5000))]);
        assert.ok(answers > 0, 'the first probes were answered');
        assert.ok(answers <= 60, `answered ${answers} of 2000 probes; the budget is a burst of 50`);
      } finally {
        await server.close();
      }
      assert.equal(running.size, 0, 'an interval of the closed connection is still running');
    } finally {
      globalThis.setInterval = realSet;
      globalThis.clearInterval = realClear;
      for (const timer of running) realClear(timer as Parameters<typeof clearInterval>[0]);
    }
  });

  it('Socket.IO: a CONNECT sent with the close of its connection holds none of the user’s sockets', async () => {
    const server = await startServer({ RELAY_MAX_SOCKETS_PER_USER: '1' });
    try {
      // One polling POST carrying a CONNECT (`40{auth}`) and the engine's close (`1`): the handshake runs
      // after the connection has closed.
      const base = `${server.url}/socket.io/?EIO=4&transport=polling`;
      const { sid } = JSON.parse((await (await fetch(base)).text()).slice(1)) as { sid: string };
      const posted = await fetch(`${base}&sid=${sid}`, { method: 'POST', body: `40${JSON.stringify({ token: server.token() })}\x1e1` });
      assert.equal(posted.status, 200);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const desktop = await SioDesktop.connect(server.url, server.token());
      assert.equal(desktop.socket.connected, true, 'the same user connects: its one place is free');
      desktop.socket.disconnect();
    } finally {
      await server.close();
    }
  });
});

describe('relay faults: shutdown and large notifications', function () {
  this.timeout(60_000);

  it('answers a WebSocket upgrade during shutdown with 503', async () => {
    const server = await startServer({ RELAY_SHUTDOWN_SECONDS: '2' });
    const { port } = new URL(server.url);
    // A desktop that does not answer the close keeps the drain going for RELAY_SHUTDOWN_SECONDS.
    const holder = await NativeClient.connect(server.wsUrl, server.token());
    underlying(holder).pause();
    // A connection accepted before the drain whose upgrade request is still arriving when it starts.
    const raw = netConnect(Number(port), '127.0.0.1');
    await once(raw, 'connect');
    let answer = '';
    raw.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    raw.write('GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stopping = server.relay.shutdown();
    raw.write(
      `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n` +
        `Sec-WebSocket-Key: ${Buffer.from('0123456789abcdef').toString('base64')}\r\n` +
        `Authorization: Bearer ${server.token()}\r\n\r\n`,
    );
    await Promise.race([once(raw, 'close'), new Promise((resolve) => setTimeout(resolve, 3000))]);
    raw.destroy();
    underlying(holder).resume();
    await stopping;
    await server.close();
    assert.match(answer, /^HTTP\/1\.1 503 Service Unavailable\r\n/);
    assert.match(answer, /Retry-After: 1/);
  });

  it('a 9 MB notification is published (204) and reaches a joined desktop intact; a larger body gets 413', async () => {
    const server = await startServer({ MAX_EVENT_BODY_BYTES: String(14 * 1024 * 1024) });
    try {
      const name = conversationName();
      const client = await NativeClient.connect(server.wsUrl, server.token());
      await client.join(name);
      const filler = 'é'.repeat(4.5 * 1024 * 1024); // 9 MiB of UTF-8
      const data = { conversation: name, type: 'NEW_MESSAGE', filler };
      assert.equal(await postEvent(server.url, '/new-message-event', pushEnvelope(data)), 204);
      const [event] = await client.eventCount(1, 20_000);
      assert.deepEqual(event.data, data);
      const tooBig = pushEnvelope({ conversation: name, filler: 'x'.repeat(11 * 1024 * 1024) });
      assert.equal(await postEvent(server.url, '/new-message-event', tooBig), 413);
      client.close();
    } finally {
      await server.close();
    }
  });
});
