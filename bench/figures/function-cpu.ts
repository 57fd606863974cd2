/**
 * An event function's CPU per event: Pub/Sub push deliveries posted at a fixed rate (poster processes)
 * to a function process; its CPU time (from /proc) divided by the deliveries it acknowledged. The
 * project's `newMessageEvent` and the no-op function under the same functions-framework (the floor of
 * this design) run side by side, each with its own posters at the same rate over the same interval, so
 * the two figures of a round saw the same machine at the same moment. In the same round the minimal
 * function (the job's floor under the framework) runs beside the no-op in the same way, then the bare
 * node:http reference (the same work without the framework) alone.
 */
import { PosterPool } from '../load/pool';
import { cpuSecondsOf, watchLoad, type Load } from '../machine';
import { startBareFunction, startFunction, startRedis, type Proc } from '../harness';

export type FunctionSystem = 'project' | 'noop' | 'minimal' | 'bare';

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
  if (system === 'minimal') return startFunction('minimalEvent', { REDIS_URL: redisUrl }, 'bench/reference/minimal-function.js');
  return startBareFunction({ REDIS_URL: redisUrl });
}

const SYSTEMS: readonly FunctionSystem[] = ['project', 'noop', 'minimal', 'bare'];

/** Each system's rounds; `minimalNoop` is the no-op function measured beside the minimal one. */
export type FunctionCpuResults = Record<FunctionSystem, FunctionCpuRound[]> & { readonly minimalNoop: FunctionCpuRound[] };

export async function functionCpuRounds(options: { eps: number; seconds: number; rounds: number }): Promise<FunctionCpuResults> {
  const redis = await startRedis();
  const fns = new Map<FunctionSystem, Proc>();
  const posters = new Map<FunctionSystem, PosterPool>();
  const results: FunctionCpuResults = { project: [], noop: [], minimal: [], bare: [], minimalNoop: [] };
  try {
    for (const system of SYSTEMS) {
      fns.set(system, await startSystem(system, redis.url));
      posters.set(system, new PosterPool(1));
    }
    /** Offers `eps` to each of `systems` at once; their CPU per acknowledged delivery over that interval. */
    const measure = async (systems: readonly FunctionSystem[], seconds: number): Promise<FunctionCpuRound[]> => {
      const load = watchLoad();
      const cpu0 = systems.map((s) => cpuSecondsOf(fns.get(s)!.child.pid!));
      const offered = await Promise.all(
        systems.map((s) =>
          posters.get(s)!.offer({ mode: 'http', url: fns.get(s)!.url, prefix: 'projects/bench-project/conversations/f-', conversations: 1000, eps: options.eps, seconds }),
        ),
      );
      const seen = load();
      return systems.map((system, i) => {
        const cpu = cpuSecondsOf(fns.get(system)!.child.pid!) - cpu0[i];
        const { sent, acknowledged } = offered[i];
        return { system, eps: options.eps, sent, acknowledged, cpuMicrosPerEvent: (cpu * 1e6) / Math.max(1, acknowledged), load: seen };
      });
    };
    await measure(['project', 'noop'], 3); // warm-up
    await measure(['minimal', 'noop'], 2);
    await measure(['bare'], 2);
    for (let r = 0; r < options.rounds; r++) {
      for (const result of await measure(['project', 'noop'], options.seconds)) results[result.system].push(result);
      const [minimal, noop] = await measure(['minimal', 'noop'], options.seconds);
      results.minimal.push(minimal);
      results.minimalNoop.push(noop);
      results.bare.push(...(await measure(['bare'], options.seconds)));
    }
    return results;
  } finally {
    for (const pool of posters.values()) await pool.close();
    for (const fn of fns.values()) await fn.stop();
    await redis.destroy();
  }
}
