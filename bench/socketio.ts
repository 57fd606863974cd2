/**
 * The Socket.IO side of the event-path benchmark, with the same processes as the native one (harness.ts:
 * Redis, the event function under the functions-framework, the relay container's entry point) and this
 * process as load generator and desktops (real socket.io-client v4, WebSocket transport):
 *
 * - `socketIoRate`: N desktops, each joined to its own conversation; events posted open-loop at a fixed
 *   rate as Pub/Sub push deliveries, round-robin over the conversations; latency from the HTTP request
 *   being sent to the event at the desktop.
 * - `socketIoIdleRss`: the relay's resident memory per idle connected desktop, read from /proc for the
 *   relay process alone, so the clients' own memory does not count.
 *
 * Loopback only; every loop is bounded in count and time. Alone: `node dist/bench/socketio.js` (small
 * defaults, see the bottom of this file).
 */
import { io, type Socket } from 'socket.io-client';
import { benchToken, deliveryPoster, offerOpenLoop, percentile, round, settledRss, startFunction, startRedis, startRelay, type Proc } from './harness';

export interface SocketIoRateResult {
  readonly protocol: 'socketio';
  readonly desktops: number;
  readonly offeredEps: number;
  readonly deliveredEps: number;
  readonly seconds: number;
  readonly sent: number;
  readonly acknowledged: number;
  readonly delivered: number;
  readonly lost: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface SocketIoIdleResult {
  readonly protocol: 'socketio';
  readonly clients: number;
  readonly rssBeforeBytes: number;
  readonly rssAfterBytes: number;
  readonly rssPerConnectionBytes: number;
}

const CONNECT_BATCH = 200;

/** Connects `count` desktops to `url` in batches; `conversationOf(i)` joins desktop i to a conversation. */
async function connectDesktops(url: string, count: number, conversationOf?: (i: number) => string, onEvent?: (payload: { message_id?: string }) => void): Promise<Socket[]> {
  const token = await benchToken();
  const sockets: Socket[] = [];
  for (let start = 0; start < count; start += CONNECT_BATCH) {
    const batch: Array<Promise<Socket>> = [];
    for (let i = start; i < Math.min(count, start + CONNECT_BATCH); i++) {
      batch.push(
        new Promise<Socket>((resolve, reject) => {
          const socket = io(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 20_000 });
          if (onEvent) socket.on('new-message-event', onEvent);
          socket.once('connect_error', reject);
          socket.once('connect', () => {
            if (!conversationOf) return resolve(socket);
            socket.emit('join-conversation', conversationOf(i), (ok: boolean, result: string) => (ok ? resolve(socket) : reject(new Error(result))));
          });
        }),
      );
    }
    sockets.push(...(await Promise.all(batch)));
  }
  return sockets;
}

let sequence = 0;

/** Starts the processes, connects the desktops, offers `eps` for `seconds`, and tears everything down. */
export async function socketIoRate(options: { desktops: number; eps: number; seconds: number; warmupSeconds?: number }): Promise<SocketIoRateResult> {
  const redis = await startRedis();
  const env = { REDIS_URL: redis.url };
  const procs: Proc[] = [];
  const sockets: Socket[] = [];
  try {
    const [fn, relay] = await Promise.all([startFunction('newMessageEvent', env), startRelay(env)]);
    procs.push(fn, relay);
    const pending = new Map<string, number>();
    const latencies: number[] = [];
    let lastArrival = 0;
    const conversations = Array.from({ length: options.desktops }, (_, i) => `projects/bench-project/conversations/sio-bench-${i}`);
    const onEvent = (payload: { message_id?: string }): void => {
      const sentAt = pending.get(payload.message_id ?? '');
      if (sentAt === undefined) return;
      pending.delete(payload.message_id ?? '');
      lastArrival = performance.now();
      latencies.push(lastArrival - sentAt);
    };
    sockets.push(...(await connectDesktops(relay.url, options.desktops, (i) => conversations[i], onEvent)));

    const poster = deliveryPoster(fn.url);
    const send = (i: number): void => {
      const messageId = `s${process.pid}-${sequence++}`;
      pending.set(messageId, performance.now());
      poster.post(conversations[i % conversations.length], messageId);
    };

    // Warm-up (JIT, keep-alive connections, Redis script cache), then the measured run.
    await offerOpenLoop(Math.min(200, options.eps), options.warmupSeconds ?? 1, send, () => pending.size);
    pending.clear();
    latencies.length = 0;
    const acknowledgedBefore = poster.acknowledged;
    const { sent, started } = await offerOpenLoop(options.eps, options.seconds, send, () => pending.size);
    const acknowledged = poster.acknowledged - acknowledgedBefore;
    poster.close();
    const sorted = latencies.sort((a, b) => a - b);
    const elapsed = Math.max(lastArrival - started, 1) / 1000;
    return {
      protocol: 'socketio',
      desktops: sockets.length,
      offeredEps: options.eps,
      deliveredEps: round(sorted.length / elapsed, 1),
      seconds: options.seconds,
      sent,
      acknowledged,
      delivered: sorted.length,
      lost: sent - sorted.length,
      p50Ms: round(percentile(sorted, 50)),
      p99Ms: round(percentile(sorted, 99)),
      maxMs: round(sorted[sorted.length - 1] ?? NaN),
    };
  } finally {
    for (const socket of sockets) socket.disconnect();
    await Promise.all(procs.map((proc) => proc.stop()));
    await redis.destroy();
  }
}

/** Connects `clients` idle desktops (no conversation) to a fresh relay and reports its RSS growth per connection. */
export async function socketIoIdleRss(options: { clients: number }): Promise<SocketIoIdleResult> {
  const redis = await startRedis();
  let relay: Proc | undefined;
  const sockets: Socket[] = [];
  try {
    relay = await startRelay({ REDIS_URL: redis.url });
    const pid = relay.child.pid!;
    // Warm the relay's code paths first, so the figure is per connection rather than first-use cost.
    for (const socket of await connectDesktops(relay.url, Math.min(200, options.clients))) socket.disconnect();
    const rssBeforeBytes = await settledRss(pid);
    sockets.push(...(await connectDesktops(relay.url, options.clients)));
    const rssAfterBytes = await settledRss(pid);
    return {
      protocol: 'socketio',
      clients: sockets.length,
      rssBeforeBytes,
      rssAfterBytes,
      rssPerConnectionBytes: Math.round((rssAfterBytes - rssBeforeBytes) / sockets.length),
    };
  } finally {
    for (const socket of sockets) socket.disconnect();
    await relay?.stop();
    await redis.destroy();
  }
}

if (require.main === module) {
  const env = process.env;
  (async () => {
    const rate = await socketIoRate({
      desktops: Number(env.SIO_BENCH_DESKTOPS ?? 200),
      eps: Number(env.SIO_BENCH_EPS ?? 200),
      seconds: Number(env.SIO_BENCH_SECONDS ?? 5),
    });
    const idle = await socketIoIdleRss({ clients: Number(env.SIO_BENCH_IDLE_CLIENTS ?? 1000) });
    console.log(JSON.stringify({ rate, idle }, null, 2));
  })().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
