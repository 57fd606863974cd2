/**
 * An event function's CPU per event: Pub/Sub push deliveries posted at a fixed rate (poster processes)
 * to one function process; its CPU time (from /proc) divided by the deliveries it acknowledged. The
 * project's `newMessageEvent` and the no-op function under the same functions-framework (the floor of
 * this design), and the bare node:http reference, in interleaved rounds.
 */
import { PosterPool } from '../load/pool';
import { cpuSecondsOf, watchLoad, type Load } from '../machine';
import { startBareFunction, startFunction, startRedis, type Proc } from '../harness';

export type FunctionSystem = 'project' | 'noop' | 'bare';

export interface FunctionCpuRound {
  readonly system: FunctionSystem;
  readonly eps: number;
  readonly sent: number;
  readonly acknowledged: number;
  readonly cpuMicrosPerEvent: number;
  readonly load: Load;
}

function startSystem(system: FunctionSystem, redisUrl: string): Promise<Proc> {
  if (system === 'project') return startFunction('newMessageEvent', { REDIS_URL: redisUrl });
  if (system === 'noop') return startFunction('noopEvent', {}, 'bench/reference/noop-function.js');
  return startBareFunction({ REDIS_URL: redisUrl });
}

export async function functionCpuRound(system: FunctionSystem, options: { eps: number; seconds: number }): Promise<FunctionCpuRound> {
  const redis = await startRedis();
  let fn: Proc | undefined;
  const posters = new PosterPool(2);
  try {
    fn = await startSystem(system, redis.url);
    const offer = { mode: 'http' as const, url: fn.url, prefix: 'projects/bench-project/conversations/f-', conversations: 1000 };
    await posters.offer({ ...offer, eps: Math.min(500, options.eps), seconds: 1 }); // warm-up
    const pid = fn.child.pid!;
    const load = watchLoad();
    const cpu0 = cpuSecondsOf(pid);
    const { sent, acknowledged } = await posters.offer({ ...offer, eps: options.eps, seconds: options.seconds });
    const cpu = cpuSecondsOf(pid) - cpu0;
    return { system, eps: options.eps, sent, acknowledged, cpuMicrosPerEvent: (cpu * 1e6) / Math.max(1, acknowledged), load: load() };
  } finally {
    await posters.close();
    await fn?.stop();
    await redis.destroy();
  }
}
