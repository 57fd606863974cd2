/**
 * `npm run bench`: every benchmark of the project, on loopback, one after the other, with a summary
 * against the targets at the end (also written to bench-results.json). Sizes can be lowered for a quick
 * look with BENCH_QUICK=1.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { coldStartBenchmark } from './cold-start';
import { eventPathBenchmark } from './event-path';
import { ROOT } from './harness';
import { nativeIdleRss } from './idle-native';
import { socketIoIdleRss, socketIoRate } from './socketio';
import { benchWebhook } from './webhook';

const quick = process.env.BENCH_QUICK === '1';

async function main(): Promise<void> {
  const results: Record<string, unknown> = {};
  const desktops = quick ? 200 : 1000;
  const seconds = quick ? 5 : 30;

  console.log(`event path, native protocol: ${desktops} desktops, 1000 events/s for ${seconds} s, then rising rates`);
  const native = await eventPathBenchmark({ desktops, targetEps: 1000, targetSeconds: seconds, stepSeconds: quick ? 3 : 10, maxEps: quick ? 3000 : 10000 });
  results.native = native;
  console.log(JSON.stringify(native.target));

  console.log(`event path, Socket.IO: ${desktops} desktops, 1000 events/s for ${seconds} s`);
  results.socketio = await socketIoRate({ desktops, eps: 1000, seconds });
  console.log(JSON.stringify(results.socketio));

  const idleClients = quick ? 1000 : 5000;
  console.log(`idle connections: ${idleClients} per protocol`);
  results.idle = [await nativeIdleRss({ clients: idleClients }), await socketIoIdleRss({ clients: idleClients })];
  console.log(JSON.stringify(results.idle));

  console.log('fulfillment webhook: 1000 requests/s');
  results.webhook = await benchWebhook({});
  console.log(JSON.stringify(results.webhook));

  console.log('cold start of every deployable unit (built bundles)');
  results.coldStart = await coldStartBenchmark({ runs: quick ? 2 : 5 });
  console.log(JSON.stringify(results.coldStart));

  writeFileSync(join(ROOT, 'bench-results.json'), JSON.stringify(results, null, 2) + '\n');
  console.log('\nwritten to bench-results.json');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
