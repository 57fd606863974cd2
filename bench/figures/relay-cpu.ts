/**
 * The relay's CPU per delivered event, the project's relay and the bare reference side by side: both
 * relays subscribe to one Redis, each with its own D desktops joined one per conversation (the same
 * conversations), so every event published (poster processes, straight into Redis with the publish
 * script, at a fixed rate) reaches both at once. Each round reads each relay's CPU time (from /proc) over
 * the same interval and divides it by the events its desktops received: the two figures of a round saw
 * the same events on the same machine at the same moment, so their ratio is what is compared.
 */
import { DesktopPool, PosterPool } from '../load/pool';
import { cpuSecondsOf, watchLoad, type Load } from '../machine';
import { benchToken, startBareRelay, startRedis, startRelay, type Proc } from '../harness';
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

const SYSTEMS: readonly RelaySystem[] = ['project', 'bare'];

export async function relayCpuRounds(options: { desktops: number; eps: number; seconds: number; rounds: number }): Promise<Record<RelaySystem, RelayCpuRound[]>> {
  const redis = await startRedis();
  const relays = new Map<RelaySystem, Proc>();
  const pools = new Map<RelaySystem, DesktopPool>();
  const posters = new PosterPool(2);
  const results: Record<RelaySystem, RelayCpuRound[]> = { project: [], bare: [] };
  try {
    const env = { REDIS_URL: redis.url };
    relays.set('project', await startRelay(env));
    relays.set('bare', await startBareRelay(env));
    const prefix = 'projects/bench-project/conversations/r-';
    const token = await benchToken();
    for (const system of SYSTEMS) {
      const pool = new DesktopPool(2);
      pools.set(system, pool);
      await pool.connect({ protocol: 'native', url: relays.get(system)!.url, token, prefix, count: options.desktops, concurrency: 100 });
    }
    const offer = { mode: 'redis' as const, url: redis.url, prefix, conversations: options.desktops };
    // Warm-up at the measured rate, so both relays' hot paths are compiled before the first round.
    const warm = await posters.offer({ ...offer, eps: options.eps, seconds: 3 });
    for (const pool of pools.values()) await gather(pool, warm.sent);
    for (let r = 0; r < options.rounds; r++) {
      const load = watchLoad();
      const cpu0 = new Map(SYSTEMS.map((s) => [s, cpuSecondsOf(relays.get(s)!.child.pid!)]));
      const { sent } = await posters.offer({ ...offer, eps: options.eps, seconds: options.seconds });
      const latencies = new Map<RelaySystem, number[]>();
      for (const system of SYSTEMS) latencies.set(system, (await gather(pools.get(system)!, sent)).sort((a, b) => a - b));
      const cpu = new Map(SYSTEMS.map((s) => [s, cpuSecondsOf(relays.get(s)!.child.pid!) - cpu0.get(s)!]));
      const seen = load();
      for (const system of SYSTEMS) {
        const got = latencies.get(system)!;
        results[system].push({
          system,
          eps: options.eps,
          sent,
          delivered: got.length,
          lost: sent - got.length,
          p99Ms: percentile(got, 99),
          cpuMicrosPerEvent: (cpu.get(system)! * 1e6) / Math.max(1, got.length),
          load: seen,
        });
      }
    }
    return results;
  } finally {
    await posters.close();
    for (const pool of pools.values()) await pool.close();
    for (const relay of relays.values()) await relay.stop();
    await redis.destroy();
  }
}
