/**
 * Connect and join: N desktops (load generator processes) connect to a fresh relay and each joins its own
 * conversation; the time until the last is joined, the relay's CPU meanwhile, and the relay's resident
 * memory per connected desktop once they are idle (settled RSS after minus before, after a warm-up).
 * The project's relay (native or Socket.IO) and the bare reference, in interleaved rounds.
 */
import type { DesktopProtocol } from '../load/desktops';
import { DesktopPool } from '../load/pool';
import { cpuSecondsOf, watchLoad, type Load } from '../machine';
import { benchToken, settledRss, startBareRelay, startRedis, startRelay } from '../harness';

export type RelaySystem = 'project' | 'bare';

export interface ConnectRound {
  readonly system: RelaySystem;
  readonly protocol: DesktopProtocol;
  readonly desktops: number;
  readonly failed: number;
  readonly seconds: number;
  readonly relayCpuPercent: number;
  readonly rssPerConnectionBytes: number;
  readonly load: Load;
}

let run = 0;

export async function connectRound(system: RelaySystem, protocol: DesktopProtocol, desktops: number, workers: number): Promise<ConnectRound> {
  const redis = await startRedis();
  const relay = system === 'project' ? await startRelay({ REDIS_URL: redis.url }) : await startBareRelay({ REDIS_URL: redis.url });
  const pool = new DesktopPool(workers);
  try {
    const token = await benchToken();
    const prefix = `projects/bench-project/conversations/c${run++}-`;
    // Warm the relay's code paths (JIT, first subscription) so the figures are per desktop, not first use.
    const warm = new DesktopPool(1);
    await warm.connect({ protocol, url: relay.url, token, prefix: `${prefix}warm-`, count: 200, concurrency: 50 });
    await warm.close();
    const pid = relay.child.pid!;
    const rssBefore = await settledRss(pid);
    const load = watchLoad();
    const cpu0 = cpuSecondsOf(pid);
    const started = performance.now();
    const failed = await pool.connect({ protocol, url: relay.url, token, prefix, count: desktops, concurrency: 100 });
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuSecondsOf(pid) - cpu0;
    const measured = load();
    const rssAfter = await settledRss(pid);
    return {
      system,
      protocol,
      desktops,
      failed,
      seconds,
      relayCpuPercent: Math.round((cpu / seconds) * 100),
      rssPerConnectionBytes: Math.round((rssAfter - rssBefore) / (desktops - failed)),
      load: measured,
    };
  } finally {
    await pool.close();
    await relay.stop();
    await redis.destroy();
  }
}
