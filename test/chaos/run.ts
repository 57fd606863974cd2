/**
 * `npm run chaos`: the delivery promise under faults, against real processes on loopback. 200 desktops on
 * two relays (half speaking the protocol by hand, half through the project's client, src/client/), steady
 * traffic through the event route with every non-2xx retried, and in turn: Redis
 * restarted twice, one relay SIGTERMed and restarted, one relay SIGKILLed and restarted. Prints a table
 * and exits non-zero unless nothing was lost, duplicated or reordered.
 *
 * Options: --desktops N --conversations N --rate N (events/s) --settle S (seconds around each fault).
 */
import { loadavg } from 'node:os';
import { ChaosWorld, clean, redisRestarts, relayRestart, type ScenarioReport } from './world';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

const COLUMNS: Array<[string, keyof ScenarioReport]> = [
  ['scenario', 'scenario'],
  ['expected', 'expected'],
  ['delivered', 'delivered'],
  ['lost', 'lost'],
  ['dup on connection', 'duplicatedOnConnection'],
  ['dup across reconnects', 'duplicatedAcrossReconnects'],
  ['out of order', 'outOfOrder'],
  ['reconnects', 'reconnects'],
  ['retried posts', 'retriedPosts'],
  ['seconds', 'seconds'],
];

async function main(): Promise<void> {
  const options = {
    desktops: option('desktops', 200),
    conversations: option('conversations', 40),
    perSecond: option('rate', 200),
    settleSeconds: option('settle', 4),
  };
  process.stdout.write(`chaos: ${options.desktops} desktops, ${options.conversations} conversations, ${options.perSecond} events/s, load average ${loadAverage()}\n`);
  const world = await ChaosWorld.start(options);
  const reports: ScenarioReport[] = [];
  try {
    reports.push(await world.run('redis-restarted-twice', redisRestarts(2)));
    reports.push(await world.run('relay-sigterm', relayRestart(0, 'SIGTERM')));
    reports.push(await world.run('relay-sigkill', relayRestart(1, 'SIGKILL')));
  } finally {
    await world.close();
  }
  process.stdout.write(`\n| ${COLUMNS.map(([title]) => title).join(' | ')} |\n|${COLUMNS.map(() => '---').join('|')}|\n`);
  for (const report of reports) process.stdout.write(`| ${COLUMNS.map(([, key]) => String(report[key])).join(' | ')} |\n`);
  process.stdout.write(`\nload average after: ${loadAverage()}\n`);
  const failed = reports.filter((report) => !clean(report));
  if (failed.length > 0) {
    process.stdout.write(`FAILED: ${failed.map((r) => r.scenario).join(', ')} lost, repeated or reordered events\n`);
    process.exitCode = 1;
  } else process.stdout.write('every event delivered once, in order, to every desktop\n');
}

function loadAverage(): string {
  return loadavg().map((n) => n.toFixed(2)).join(' ');
}

main().catch((error: unknown) => {
  process.stderr.write(`chaos failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
