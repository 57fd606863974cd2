/**
 * `npm run bench`: the project measured beside its floors, on loopback, every figure in at least three
 * rounds (five, interleaved, where the project is compared with a reference), each with the machine's
 * load; the median and the worst round reported against the targets, as a Markdown table (README's) and
 * bench-results.json.
 * BENCH_QUICK=1 lowers the sizes for a quick look (the figures are then not the targets' sizes).
 */
import { writeFileSync } from 'node:fs';
import { cpus, hostname, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { coldStartBenchmark } from './cold-start';
import { connectRound, type ConnectRound } from './figures/connect';
import { functionCpuRounds, type FunctionCpuRound } from './figures/function-cpu';
import { relayCpuRounds, type RelayCpuRound } from './figures/relay-cpu';
import { sustainedRates } from './figures/sustained';
import { ROOT } from './harness';
import { summarize, type Row } from './report';
import { benchWebhook } from './webhook';

const quick = process.env.BENCH_QUICK === '1';
/** Rounds of the figures that compare the project with a reference (connect times, CPU per event side by side). */
const COMPARED_ROUNDS = 5;
/** Rounds of the sustained rate (a ladder of rates, each in every round) and of the webhook. */
const ROUNDS = 3;

const sizes = quick
  ? { native: 500, socketio: 300, relayDesktops: 200, relayEps: 1000, fnRates: [500], seconds: 2, pathDesktops: 200, rates: [500, 1000], pathSeconds: 2, workers: 2, coldRuns: 3 }
  : { native: 10_000, socketio: 5000, relayDesktops: 1000, relayEps: 5000, fnRates: [1000, 2000], seconds: 5, pathDesktops: 1000, rates: [500, 1000, 2000, 3000, 4000, 6000, 8000], pathSeconds: 5, workers: 4, coldRuns: 3 };

/** Runs `measure` for each system in `rounds` rounds, the order alternating round by round. */
async function interleaved<S extends string, R>(systems: readonly S[], measure: (system: S) => Promise<R>, describe: (r: R) => string): Promise<Record<S, R[]>> {
  const results = Object.fromEntries(systems.map((s) => [s, [] as R[]])) as Record<S, R[]>;
  for (let r = 0; r < COMPARED_ROUNDS; r++) {
    for (const system of r % 2 === 0 ? systems : [...systems].reverse()) {
      const result = await measure(system);
      results[system].push(result);
      console.log(`  round ${r + 1} ${system}: ${describe(result)}`);
    }
  }
  return results;
}

const loadText = (l: { load: { loadavg1: number; otherCpuPercent: number } }): string => `load ${l.load.loadavg1}, others ${l.load.otherCpuPercent}% CPU`;

async function main(): Promise<void> {
  const started = new Date();
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}${quick ? ' (BENCH_QUICK)' : ''}`);
  const describeConnect = (r: ConnectRound): string => `${r.seconds.toFixed(2)} s, relay CPU ${r.relayCpuPercent}%, ${Math.round(r.rssPerConnectionBytes / 102.4) / 10} KiB/conn, failed ${r.failed}, ${loadText(r)}`;

  console.log(`connect + join: ${sizes.native} native desktops, project relay vs bare reference (${sizes.workers} client processes)`);
  const native = await interleaved(['project', 'bare'] as const, (s) => connectRound(s, 'native', sizes.native, sizes.workers), describeConnect);

  console.log(`connect + join: ${sizes.socketio} Socket.IO desktops (project; speaking the protocol over ws, and socket.io-client) vs ${sizes.socketio} native desktops (bare reference)`);
  const sio = await interleaved(['socketio-wire', 'socketio', 'bare'] as const, (s) => (s === 'bare' ? connectRound('bare', 'native', sizes.socketio, sizes.workers) : connectRound('project', s, sizes.socketio, sizes.workers)), describeConnect);

  const describeRelay = (r: RelayCpuRound): string => `${r.cpuMicrosPerEvent.toFixed(1)} µs/event, lost ${r.lost}, p99 ${r.p99Ms.toFixed(1)} ms`;
  console.log(`relay CPU per delivered event: ${sizes.relayDesktops} desktops on each relay, ${sizes.relayEps} events/s for ${sizes.seconds} s, both relays at once`);
  const relay = await relayCpuRounds({ desktops: sizes.relayDesktops, eps: sizes.relayEps, seconds: sizes.seconds, rounds: COMPARED_ROUNDS });
  relay.project.forEach((p, i) => console.log(`  round ${i + 1}: project ${describeRelay(p)}; bare ${describeRelay(relay.bare[i])}; ${loadText(p)}`));

  const describeFn = (r: FunctionCpuRound): string => `${r.cpuMicrosPerEvent.toFixed(1)} µs/event (acknowledged ${r.acknowledged}/${r.sent})`;
  const fn = [];
  for (const eps of sizes.fnRates) {
    console.log(`event function CPU per event: ${eps} deliveries/s for ${sizes.seconds} s, the project and the no-op function at once, then the minimal function and the no-op at once, then the bare reference`);
    const rounds = await functionCpuRounds({ eps, seconds: sizes.seconds, rounds: COMPARED_ROUNDS });
    rounds.project.forEach((p, i) =>
      console.log(
        `  round ${i + 1}: project ${describeFn(p)}; no-op ${describeFn(rounds.noop[i])}; ${loadText(p)}; minimal ${describeFn(rounds.minimal[i])}; no-op ${describeFn(rounds.minimalNoop[i])}; ${loadText(rounds.minimal[i])}; bare ${describeFn(rounds.bare[i])}`,
      ),
    );
    fn.push({ eps, ...rounds });
  }

  console.log(`highest sustained rate through one event function: ${sizes.pathDesktops} desktops, rates ${sizes.rates.join(', ')}/s, ${ROUNDS} rounds of ${sizes.pathSeconds} s`);
  const sustained = await sustainedRates({ desktops: sizes.pathDesktops, rates: sizes.rates, rounds: ROUNDS, seconds: sizes.pathSeconds });

  console.log(`fulfillment webhook: 1000 requests/s, ${ROUNDS} rounds`);
  const webhook = [];
  for (let r = 0; r < ROUNDS; r++) webhook.push({ ...(await benchWebhook({})), loadavg1: Math.round(loadavg()[0] * 100) / 100 });
  console.log(JSON.stringify(webhook));

  console.log('cold start of every deployable unit (built bundles)');
  const coldStart = await coldStartBenchmark({ runs: sizes.coldRuns });
  console.log(JSON.stringify(coldStart));

  const rows: Row[] = summarize({ native, sio, relay, fn, sustained, webhook, coldStart, sizes });
  const header = `${started.toISOString().slice(0, 10)}, ${hostname()}: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, loopback${quick ? ', BENCH_QUICK sizes' : ''}`;
  const table = [
    `Measured ${header}. Median of ${COMPARED_ROUNDS} rounds where the project is compared with a reference, of ${ROUNDS} for the sustained rate and the webhook (worst round in brackets); load = 1-minute load average and CPU used by other processes (% of one core) during the rounds, worst round.`,
    '',
    '| figure | project | reference | target | met | load |',
    '|---|---|---|---|---|---|',
    ...rows.map((row) => `| ${row.figure} | ${row.project} | ${row.reference} | ${row.target} | ${row.met} | ${row.load} |`),
  ].join('\n');
  console.log(`\n${table}\n`);
  writeFileSync(join(ROOT, 'bench-results.json'), JSON.stringify({ measured: header, quick, sizes, native, sio, relay, fn, sustained, webhook, coldStart, table }, null, 2) + '\n');
  console.log('written to bench-results.json');
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1); // the harness kills its processes on exit
  },
);
