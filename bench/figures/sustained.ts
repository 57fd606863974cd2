/**
 * The highest sustained rate through one event-function process: the whole path (push delivery → event
 * function → Redis → relay → desktop), D desktops joined one per conversation, events offered open-loop
 * at rising rates; a rate is sustained when every round at it has p99 < 20 ms (post to desktop) and no
 * event lost. The project (functions-framework function + relay) and the bare reference pipeline,
 * interleaved round by round.
 */
import { DesktopPool, PosterPool } from '../load/pool';
import { watchLoad, type Load } from '../machine';
import { benchToken, startBareFunction, startBareRelay, startFunction, startRedis, startRelay, type Proc } from '../harness';
import { percentile, round } from '../stats';
import type { RelaySystem } from './connect';
import { gather } from './relay-cpu';

export interface SustainedRound {
  readonly system: RelaySystem;
  readonly eps: number;
  readonly sent: number;
  readonly delivered: number;
  readonly lost: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly load: Load;
}

interface Pipeline {
  readonly system: RelaySystem;
  readonly fn: Proc;
  readonly relay: Proc;
  readonly desktops: DesktopPool;
  readonly prefix: string;
  /** Still rising: every round so far met the bar. */
  sustaining: boolean;
  sustainedEps: number;
}

async function startPipeline(system: RelaySystem, redisUrl: string, desktops: number): Promise<Pipeline> {
  const env = { REDIS_URL: redisUrl };
  const [fn, relay] =
    system === 'project' ? await Promise.all([startFunction('newMessageEvent', env), startRelay(env)]) : await Promise.all([startBareFunction(env), startBareRelay(env)]);
  const pool = new DesktopPool(2);
  const prefix = `projects/bench-project/conversations/s-${system}-`;
  await pool.connect({ protocol: 'native', url: relay.url, token: await benchToken(), prefix, count: desktops, concurrency: 100 });
  return { system, fn, relay, desktops: pool, prefix, sustaining: true, sustainedEps: 0 };
}

async function roundAt(pipeline: Pipeline, posters: PosterPool, eps: number, seconds: number, desktops: number): Promise<SustainedRound> {
  const load = watchLoad();
  const { sent } = await posters.offer({ mode: 'http', url: pipeline.fn.url, prefix: pipeline.prefix, conversations: desktops, eps, seconds });
  const latencies = (await gather(pipeline.desktops, sent)).sort((a, b) => a - b);
  return {
    system: pipeline.system,
    eps,
    sent,
    delivered: latencies.length,
    lost: sent - latencies.length,
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    load: load(),
  };
}

export async function sustainedRates(options: { desktops: number; rates: readonly number[]; rounds: number; seconds: number }): Promise<{ rounds: SustainedRound[]; sustainedEps: Record<RelaySystem, number> }> {
  const redis = await startRedis();
  const pipelines: Pipeline[] = [];
  const posters = new PosterPool(2);
  const rounds: SustainedRound[] = [];
  try {
    pipelines.push(await startPipeline('project', redis.url, options.desktops), await startPipeline('bare', redis.url, options.desktops));
    for (const pipeline of pipelines) await roundAt(pipeline, posters, 500, 2, options.desktops); // warm-up
    for (const eps of options.rates) {
      const rising = pipelines.filter((p) => p.sustaining);
      if (rising.length === 0) break;
      const met = new Map(rising.map((p) => [p, true]));
      for (let r = 0; r < options.rounds; r++) {
        // Interleaved, the order alternating, so neither side always runs on a warmer or quieter machine.
        const order = r % 2 === 0 ? rising : [...rising].reverse();
        for (const pipeline of order) {
          const result = await roundAt(pipeline, posters, eps, options.seconds, options.desktops);
          rounds.push(result);
          console.log(`  ${pipeline.system} ${eps}/s round ${r + 1}: p99 ${result.p99Ms} ms, lost ${result.lost}, load ${result.load.loadavg1}, others ${result.load.otherCpuPercent}% CPU`);
          if (result.lost > 0 || !(result.p99Ms < 20)) met.set(pipeline, false);
        }
      }
      for (const pipeline of rising) {
        if (met.get(pipeline)) pipeline.sustainedEps = eps;
        else pipeline.sustaining = false;
      }
    }
    return { rounds, sustainedEps: { project: pipelines[0].sustainedEps, bare: pipelines[1].sustainedEps } };
  } finally {
    await posters.close();
    for (const p of pipelines) {
      await p.desktops.close();
      await Promise.all([p.fn.stop(), p.relay.stop()]);
    }
    await redis.destroy();
  }
}
