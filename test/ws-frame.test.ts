/**
 * The relay writes event frames it framed itself straight to the upgrade's TCP connection. Read here by the
 * real `ws` client over a real socket: every payload length on either side of the 7-, 16- and 64-bit length
 * forms, multi-byte UTF-8 across those edges, and frames of `ws.send` and `ws.ping` interleaved with them;
 * and a native connection that negotiated compression, whose event frames must go through `ws` instead.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type ServerOptions } from 'ws';
import type { TokenClaims } from '../src/auth/jwt';
import { MemoryBroker } from '../src/broker/memory';
import { createLogger } from '../src/log';
import { Hub } from '../src/relay/hub';
import { eventFrame, serveNativeConnection } from '../src/relay/native';
import { textFrame } from '../src/relay/ws-frame';
import { record } from './helpers/events';

interface Received {
  readonly text: string;
  readonly isBinary: boolean;
}

/** A server that hands each upgraded connection, with its TCP socket, to `serve`. */
async function frameServer(serve: (ws: WebSocket, socket: Duplex) => void, options: ServerOptions = {}): Promise<{ server: Server; url: string }> {
  const server = createServer();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, ...options });
  server.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => serve(ws, socket)));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Hands `seen` the bytes of every chunk written to `socket` (ws writes a frame within one synchronous call). */
function onWrite(socket: Duplex, seen: (bytes: Buffer) => void): void {
  const write = socket.write.bind(socket) as (chunk: unknown, ...rest: unknown[]) => boolean;
  socket.write = ((chunk: unknown, ...rest: unknown[]): boolean => {
    seen(Buffer.from(chunk as string | Uint8Array));
    return write(chunk, ...rest);
  }) as typeof socket.write;
}

/** Connects a real client and resolves with the first `count` messages it receives. */
async function receive(url: string, count: number): Promise<Received[]> {
  const client = new WebSocket(url, { perMessageDeflate: false, maxPayload: 1 << 24 });
  const got: Received[] = [];
  await new Promise<void>((resolve, reject) => {
    client.on('message', (data, isBinary) => {
      got.push({ text: (data as Buffer).toString('utf8'), isBinary });
      if (got.length === count) resolve();
    });
    client.on('error', reject);
    client.on('close', (code) => reject(new Error(`closed with ${code} after ${got.length} messages`)));
  });
  client.removeAllListeners('close');
  client.terminate();
  return got;
}

describe('WebSocket frames written whole to the connection', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  it('reach a real ws client as text messages, whatever the payload length', async () => {
    const lengths = [0, 1, 124, 125, 126, 127, 1000, 65_534, 65_535, 65_536, 65_537, 200_000];
    const payloads = lengths.map((n, i) => 'abcdefghij'.charAt(i % 10).repeat(n));
    // Multi-byte characters: the byte length crosses each edge while the character count does not.
    payloads.push('é'.repeat(63), 'é'.repeat(64), '€'.repeat(42), '😀'.repeat(16_384), 'x' + '😀'.repeat(16_384));
    const started = await frameServer((_ws, socket) => {
      for (const payload of payloads) socket.write(textFrame(payload));
    });
    server = started.server;
    const got = await receive(started.url, payloads.length);
    assert.deepEqual(
      got.map((m) => m.isBinary),
      payloads.map(() => false),
    );
    for (const [i, payload] of payloads.entries()) {
      assert.equal(got[i].text.length, payload.length, `message ${i}: length`);
      assert.equal(got[i].text, payload, `message ${i}`);
    }
  });

  it('keep their order with frames ws sends and pings on the same connection', async () => {
    const started = await frameServer((ws, socket) => {
      for (let i = 0; i < 300; i++) {
        if (i % 3 === 0) ws.send(`ws ${i} ${'y'.repeat(i * 7)}`);
        else socket.write(textFrame(`direct ${i} ${'z'.repeat(i * 11)}`));
        if (i % 50 === 0) ws.ping();
      }
    });
    server = started.server;
    const got = await receive(started.url, 300);
    assert.deepEqual(
      got.map((m) => m.text),
      Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? `ws ${i} ${'y'.repeat(i * 7)}` : `direct ${i} ${'z'.repeat(i * 11)}`)),
    );
  });

  it('are the bytes ws itself puts on the wire for the same text', async () => {
    // What ws's own server writes for ws.send(text), captured from the raw socket's writes (ws writes a
    // frame synchronously within send, through cork/write/uncork).
    // Multi-byte text whose UTF-8 length is exactly 125, 126, 65,535 and 65,536 bytes (é is 2 bytes, € 3).
    const texts = ['', 'a', 'b'.repeat(125), 'c'.repeat(126), 'd'.repeat(65_535), 'e'.repeat(65_536), '€'.repeat(50)];
    texts.push('a' + 'é'.repeat(62), 'é'.repeat(63), '€'.repeat(21_845), 'a' + '€'.repeat(21_845));
    assert.deepEqual(texts.slice(-4).map((t) => Buffer.byteLength(t)), [125, 126, 65_535, 65_536]);
    const written: Buffer[][] = [];
    const started = await frameServer((ws, socket) => {
      onWrite(socket, (bytes) => written[written.length - 1].push(bytes));
      for (const text of texts) {
        written.push([]);
        ws.send(text);
      }
    });
    server = started.server;
    await receive(started.url, texts.length);
    assert.equal(written.length, texts.length);
    for (const [i, text] of texts.entries()) {
      assert.deepEqual(Buffer.concat(written[i]), textFrame(text), `frame of ${text.length} characters`);
    }
  });

  describe('a native connection', () => {
    const conversation = 'projects/p/conversations/frames';
    const claims: TokenClaims = { gcp_agent_assist_project: 'p', gcp_agent_assist_user: 'agent', iss: 'i', aud: 'a', jti: 'j', iat: 0, exp: Math.floor(Date.now() / 1000) + 3600 };

    /** Serves one native connection on `options`, joins it, publishes one event: what the client got, and the socket's writes. */
    async function deliverOne(options: ServerOptions, clientDeflate: boolean): Promise<{ frame: string; writes: Buffer[]; expected: string }> {
      const broker = new MemoryBroker({ historyMaxLength: 10, historyTtlSeconds: 60, dedupeTtlSeconds: 60 });
      const log = createLogger('ws-frame-test');
      const hub = new Hub(broker, log);
      const writes: Buffer[] = [];
      const started = await frameServer((ws, socket) => {
        onWrite(socket, (bytes) => writes.push(bytes));
        serveNativeConnection(ws, {
          hub,
          log,
          claims,
          maxBufferedBytes: 1 << 22,
          maxConversations: 5,
          frameRate: { perSecond: 100, burst: 100 },
          access: () => Promise.resolve({ allowed: true }),
          socket,
        });
      }, options);
      server = started.server;
      const client = new WebSocket(started.url, { perMessageDeflate: clientDeflate });
      const frames: string[] = [];
      const next = (type: string): Promise<string> =>
        new Promise((resolve) => {
          const look = (): void => {
            const found = frames.find((f) => (JSON.parse(f) as { type: string }).type === type);
            if (found) resolve(found);
            else setTimeout(look, 5);
          };
          look();
        });
      client.on('message', (data) => frames.push(String(data)));
      await next('hello');
      client.send(JSON.stringify({ type: 'join', conversation }));
      await next('joined');
      const published = await broker.publish(record(conversation));
      const frame = await next('event');
      client.terminate();
      const [stored] = await broker.history(conversation);
      assert.equal(published.duplicate, false);
      return { frame, writes, expected: eventFrame(stored) };
    }

    it('gets each event frame in one write of its own bytes when nothing was negotiated', async () => {
      const { frame, writes, expected } = await deliverOne({}, false);
      assert.equal(frame, expected);
      assert.equal(writes.filter((w) => w.equals(textFrame(expected))).length, 1);
    });

    it('gets its event frames through ws, compressed, when it negotiated permessage-deflate', async () => {
      const { frame, writes, expected } = await deliverOne({ perMessageDeflate: { threshold: 0 } }, true);
      assert.equal(frame, expected);
      // An uncompressed text frame starts 0x81; every message on this connection is compressed (0xC1).
      assert.deepEqual(writes.filter((w) => w[0] === 0x81), []);
      assert.ok(writes.some((w) => w[0] === 0xc1));
    });
  });
});
