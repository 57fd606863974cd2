/**
 * The event-path benchmark: one event function process, one relay, one Redis, and this process as
 * the load generator and the desktops (native protocol). Each desktop joins its own conversation;
 * events are posted open-loop at a fixed rate as Pub/Sub push deliveries, round-robin over the
 * conversations; latency runs from the HTTP request being sent to the event frame at the desktop.
 */
import WebSocket from 'ws';
import { RedisBroker } from '../src/broker/redis';
import { createLogger } from '../src/log';
import { RedisConnection } from '../src/redis/connection';
import { benchToken, deliveryPoster, offerOpenLoop, percentile, round, startFunction, startRedis, startRelay, type Proc } from './harness';

export interface RateResult {
  readonly protocol: 'native';
  /** `function`: HTTP to the event function; `redis`: straight into Redis (the relay alone). */
  readonly via: 'function' | 'redis';
  readonly desktops: number;
  readonly offeredEps: number;
  readonly seconds: number;
  readonly sent: number;
  readonly acknowledged: number;
  readonly delivered: number;
  readonly lost: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface EventPathRig {
  readonly fn: Proc;
  readonly relay: Proc;
  readonly desktops: WebSocket[];
  readonly conversations: string[];
  /** Sent time of each message id awaiting its event. */
  readonly pending: Map<string, number>;
  readonly latencies: number[];
  /** A broker on the rig's Redis, for publishing without the function. */
  readonly broker: RedisBroker;
  close(): Promise<void>;
}

/** Starts Redis, the function and the relay, and connects `desktops` desktops, each in its own conversation. */
export async function startRig(desktops: number): Promise<EventPathRig> {
  const redis = await startRedis();
  const env = { REDIS_URL: redis.url };
  const [fn, relay] = await Promise.all([startFunction('newMessageEvent', env), startRelay(env)]);
  const log = createLogger('bench');
  const connection = new RedisConnection({ url: redis.url, clusterNodes: [], connectWaitMs: 3000 }, log);
  const broker = new RedisBroker(connection, { historyMaxLength: 1000, historyTtlSeconds: 3600, dedupeTtlSeconds: 3600 }, log);
  const token = await benchToken();
  const pending = new Map<string, number>();
  const latencies: number[] = [];
  const conversations: string[] = [];
  const sockets: WebSocket[] = [];
  const wsUrl = `${relay.url.replace('http', 'ws')}/ws`;
  for (let start = 0; start < desktops; start += 100) {
    const batch = [];
    for (let i = start; i < Math.min(desktops, start + 100); i++) {
      const conversation = `projects/bench-project/conversations/bench-${i}`;
      conversations.push(conversation);
      batch.push(
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(wsUrl, { headers: { Authorization: `Bearer ${token}` }, perMessageDeflate: false });
          ws.on('error', reject);
          ws.on('message', (raw) => {
            const text = raw.toString();
            if (text.startsWith('{"type":"event"')) {
              const messageId = /"messageId":"([^"]+)"/.exec(text)?.[1] ?? '';
              const sent = pending.get(messageId);
              if (sent !== undefined) {
                pending.delete(messageId);
                latencies.push(performance.now() - sent);
              }
            } else if (text.includes('"type":"hello"')) {
              ws.send(JSON.stringify({ type: 'join', conversation }));
            } else if (text.includes('"type":"joined"')) {
              resolve(ws);
            }
          });
        }),
      );
    }
    sockets.push(...(await Promise.all(batch)));
  }
  return {
    fn,
    relay,
    desktops: sockets,
    conversations,
    pending,
    latencies,
    broker,
    async close() {
      for (const ws of sockets) ws.terminate();
      await connection.close();
      await Promise.all([fn.stop(), relay.stop()]);
      await redis.destroy();
    },
  };
}

let sequence = 0;

/** Offers `eps` events per second for `seconds`, then waits for stragglers; returns what arrived. */
export async function runRate(rig: EventPathRig, eps: number, seconds: number, via: 'function' | 'redis' = 'function'): Promise<RateResult> {
  rig.latencies.length = 0;
  rig.pending.clear();
  const poster = deliveryPoster(rig.fn.url);
  let published = 0;
  const send = (i: number): void => {
    const conversation = rig.conversations[i % rig.conversations.length];
    const messageId = `b${process.pid}-${sequence++}`;
    rig.pending.set(messageId, performance.now());
    if (via === 'function') return poster.post(conversation, messageId);
    // The relay's own capacity: publish as an event function would, straight into Redis.
    const data = JSON.stringify({ conversation, type: 'NEW_MESSAGE', newMessagePayload: { content: 'benchmark message', participantRole: 'END_USER' } });
    rig.broker
      .publish({ type: 'new-message-event', conversation, messageId, publishTime: '', ackTime: new Date().toISOString(), attributes: {}, data })
      .then(() => (published += 1), () => undefined);
  };
  const { sent } = await offerOpenLoop(eps, seconds, send, () => rig.pending.size);
  poster.close();
  const acknowledged = via === 'function' ? poster.acknowledged : published;
  const sorted = [...rig.latencies].sort((a, b) => a - b);
  return {
    protocol: 'native',
    via,
    desktops: rig.desktops.length,
    offeredEps: eps,
    seconds,
    sent,
    acknowledged,
    delivered: sorted.length,
    lost: sent - sorted.length,
    p50Ms: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted[sorted.length - 1] ?? NaN),
  };
}

/** The target run, then rising rates until loss or p99 ≥ 20 ms; returns every run. */
export async function eventPathBenchmark(options: {
  desktops: number;
  targetEps: number;
  targetSeconds: number;
  stepSeconds: number;
  maxEps: number;
}): Promise<{ target: RateResult; steps: RateResult[]; maxSustainedEps: number; relaySteps: RateResult[]; relayMaxSustainedEps: number }> {
  const rig = await startRig(options.desktops);
  try {
    await runRate(rig, 200, 2); // warm-up: JIT, connections, Redis script cache
    const target = await runRate(rig, options.targetEps, options.targetSeconds);
    const steps: RateResult[] = [];
    let maxSustainedEps = target.lost === 0 && target.p99Ms < 20 ? options.targetEps : 0;
    for (let eps = options.targetEps * 2; eps <= options.maxEps; eps += options.targetEps) {
      const result = await runRate(rig, eps, options.stepSeconds);
      steps.push(result);
      if (result.lost > 0 || result.p99Ms >= 20) break;
      maxSustainedEps = eps;
    }
    const relaySteps: RateResult[] = [];
    let relayMaxSustainedEps = 0;
    for (let eps = options.targetEps * 2; eps <= options.maxEps * 2; eps += options.targetEps * 2) {
      const result = await runRate(rig, eps, options.stepSeconds, 'redis');
      relaySteps.push(result);
      if (result.lost > 0 || result.p99Ms >= 20) break;
      relayMaxSustainedEps = eps;
    }
    return { target, steps, maxSustainedEps, relaySteps, relayMaxSustainedEps };
  } finally {
    await rig.close();
  }
}

if (require.main === module) {
  const env = process.env;
  eventPathBenchmark({
    desktops: Number(env.BENCH_DESKTOPS ?? 1000),
    targetEps: Number(env.BENCH_EPS ?? 1000),
    targetSeconds: Number(env.BENCH_SECONDS ?? 30),
    stepSeconds: Number(env.BENCH_STEP_SECONDS ?? 10),
    maxEps: Number(env.BENCH_MAX_EPS ?? 10000),
  }).then(
    (result) => console.log(JSON.stringify(result, null, 2)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
