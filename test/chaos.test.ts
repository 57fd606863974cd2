/**
 * A short run of the chaos suite (`npm run chaos` is the long one): desktops on two relay processes keep
 * every event once and in order through a Redis restart and a relay SIGKILL, with every failed delivery
 * retried as Pub/Sub would.
 */
import assert from 'node:assert/strict';
import { ChaosWorld, clean, redisRestarts, relayRestart } from './chaos/world';

describe('chaos (short): Redis restart and relay SIGKILL under steady traffic', function () {
  this.timeout(120_000);
  let world: ChaosWorld;
  before(async () => {
    world = await ChaosWorld.start({ desktops: 40, conversations: 10, perSecond: 60, settleSeconds: 1.5 });
  });
  after(async () => world?.close());

  it('Redis killed and restarted: nothing lost, repeated or reordered', async () => {
    const report = await world.run('short-redis-restart', redisRestarts(1, 1500));
    assert.ok(report.expected > 0 && report.retriedPosts > 0, `the fault was felt: ${JSON.stringify(report)}`);
    assert.ok(clean(report), JSON.stringify(report));
  });

  it('a relay SIGKILLed and restarted: its desktops resume on the other relay with nothing lost or repeated', async () => {
    const report = await world.run('short-relay-sigkill', relayRestart(1, 'SIGKILL', 500));
    assert.ok(report.reconnects >= 20, `half the desktops reconnected: ${JSON.stringify(report)}`);
    assert.ok(clean(report), JSON.stringify(report));
  });
});
