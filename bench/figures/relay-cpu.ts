/**
 * The relay's CPU per delivered event: D desktops joined one per conversation, events published straight
 * into Redis with the publish script at a fixed rate (poster processes), the relay process's CPU time
 * (from /proc) divided by the events the desktops received. The project's relay and the bare reference.
 */
import { DesktopPool, PosterPool } from '../load/pool';
import { cpuSecondsOf, watchLoad, type Load } from '../machine';
import { benchToken, startBareRelay, startRedis, startRelay } from '../harness';
import { percentile } from '../stats';
import type { RelaySystem } from './connect';

export interface RelayCpuRound {
  readonly system: RelaySystem;
  readonly eps: number;
  readonly sent: number;
  readonly delivered: number;
  readonly lost: number;
  readonly p99Ms: number;
  readonly cpuMicrosPerEvent: number;
  readonly load: Load;
}

/** Events sent for `sent`; waits (bounded) until the desktops have them all, and returns their latencies. */
export async function gather(pool: DesktopPool, expected: number, waitMs = 3000): Promise<number[]> {
  const latencies = await pool.collect();
  const deadline = performance.now() + waitMs;
  while (latencies.length < expected && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    latencies.push(...(await pool.collect()));
  }
  return latencies;
}

let run = 0;

export async function relayCpuRound(system: RelaySystem, options: { desktops: number; eps: number; seconds: number }): Promise<RelayCpuRound> {
  const redis = await startRedis();
  const relay = system === 'project' ? await startRelay({ REDIS_URL: redis.url }) : await startBareRelay({ REDIS_URL: redis.url });
  const desktops = new DesktopPool(2);
  const posters = new PosterPool(2);
  try {
    const prefix = `projects/bench-project/conversations/r${run++}-`;
    await desktops.connect({ protocol: 'native', url: relay.url, token: await benchToken(), prefix, count: options.desktops, concurrency: 100 });
    const offer = { mode: 'redis' as const, url: redis.url, prefix, conversations: options.desktops };
    await posters.offer({ ...offer, eps: Math.min(500, options.eps), seconds: 1 }); // warm-up
    await gather(desktops, 1);
    const pid = relay.child.pid!;
    const load = watchLoad();
    const cpu0 = cpuSecondsOf(pid);
    const { sent } = await posters.offer({ ...offer, eps: options.eps, seconds: options.seconds });
    const latencies = (await gather(desktops, sent)).sort((a, b) => a - b);
    const cpu = cpuSecondsOf(pid) - cpu0;
    return {
      system,
      eps: options.eps,
      sent,
      delivered: latencies.length,
      lost: sent - latencies.length,
      p99Ms: percentile(latencies, 99),
      cpuMicrosPerEvent: (cpu * 1e6) / Math.max(1, latencies.length),
      load: load(),
    };
  } finally {
    await posters.close();
    await desktops.close();
    await relay.stop();
    await redis.destroy();
  }
}
