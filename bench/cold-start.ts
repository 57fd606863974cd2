/**
 * Cold-start benchmark: for each deployable unit (the bundles `scripts/bundle.mjs` builds, staged with only
 * their declared dependencies), the time from spawning the unit's functions-framework process to the first
 * correct answer to its probe (event functions: a push delivery published to a real redis-server → 204),
 * over several runs, beside the bundle's size. Targets: event functions under 300 ms, every unit under 500 ms.
 *
 * `node dist/bench/cold-start.js [--runs 5]` prints the rows as JSON; `coldStartBenchmark()` returns them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bundleUnits, stageUnit, startUnit, unitEnv, unitToken } from '../support/units';
import { RedisServer } from '../support/redis-server';

export interface ColdStartRow {
  readonly unit: string;
  /** Size of the unit's bundle (`index.cjs`), bytes. */
  readonly bundleBytes: number;
  readonly runs: number;
  readonly medianMs: number;
  readonly maxMs: number;
  readonly targetMs: number;
  readonly withinTarget: boolean;
}

export interface ColdStartOptions {
  /** Runs per unit (default 5). */
  readonly runs?: number;
  /** Only these entry points (default all). */
  readonly only?: readonly string[];
}

const EVENT_UNITS = new Set(['humanAgentAssistantEvent', 'newMessageEvent', 'conversationLifecycleEvent', 'newRecognitionResultNotificationEvent']);

/** The target of a unit: 300 ms for event functions, 500 ms for the others. */
export function targetMsOf(unit: string): number {
  return EVENT_UNITS.has(unit) ? 300 : 500;
}

const round = (value: number): number => Math.round(value * 10) / 10;

/** Bundles every unit into a temporary directory, then measures each unit's cold starts one after another. */
export async function coldStartBenchmark(options: ColdStartOptions = {}): Promise<ColdStartRow[]> {
  const runs = options.runs ?? 5;
  const out = mkdtempSync(join(tmpdir(), 'aa-cold-start-'));
  const redis = await RedisServer.start();
  try {
    const units = bundleUnits(out).filter((unit) => !options.only || options.only.includes(unit.name));
    const token = await unitToken();
    const rows: ColdStartRow[] = [];
    for (const unit of units) {
      stageUnit(unit.dir);
      const env = unitEnv({ REDISHOST: '127.0.0.1', REDISPORT: String(redis.port) });
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const running = await startUnit(unit.name, unit.dir, env, token);
        times.push(running.firstAnswerMs);
        await running.stop();
      }
      times.sort((a, b) => a - b);
      const medianMs = round(times[Math.floor(times.length / 2)]);
      const maxMs = round(times[times.length - 1]);
      const targetMs = targetMsOf(unit.name);
      rows.push({ unit: unit.name, bundleBytes: unit.bytes, runs, medianMs, maxMs, targetMs, withinTarget: maxMs < targetMs });
    }
    return rows;
  } finally {
    await redis.destroy();
    rmSync(out, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, only: { type: 'string' } } });
  coldStartBenchmark({ runs: Number(values.runs), only: values.only?.split(',') })
    .then((rows) => console.log(JSON.stringify(rows, null, 2)))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
