/**
 * `npm run bench` starts what it measures as production runs it (the relay container's entry point, the
 * functions under the functions-framework CLI) beside the references; these tests run its side-by-side
 * figures at toy sizes, so a moved entry point or a broken figure fails here rather than in a long
 * benchmark. They assert what was delivered and that CPU was read, never how fast anything was.
 */
import assert from 'node:assert/strict';
import { functionCpuRounds } from '../bench/figures/function-cpu';
import { relayCpuRounds } from '../bench/figures/relay-cpu';

describe('benchmark figures at toy sizes', function () {
  this.timeout(60_000);

  it('relay CPU: both relays receive every event published, on the same events, in each round', async () => {
    const rounds = await relayCpuRounds({ desktops: 20, eps: 200, seconds: 1, rounds: 2 });
    for (const system of ['project', 'bare'] as const) {
      assert.equal(rounds[system].length, 2);
      for (const round of rounds[system]) {
        assert.ok(round.sent > 0, `${system} had events to deliver`);
        assert.equal(round.lost, 0, `${system} lost none`);
        assert.equal(round.delivered, round.sent);
        assert.ok(Number.isFinite(round.cpuMicrosPerEvent) && round.cpuMicrosPerEvent >= 0);
      }
    }
    assert.deepEqual(
      rounds.project.map((r) => r.sent),
      rounds.bare.map((r) => r.sent),
      'each round offers one set of events to both relays',
    );
  });

  it('event function CPU: the project, the no-op function and the bare reference acknowledge every delivery', async () => {
    const rounds = await functionCpuRounds({ eps: 100, seconds: 1, rounds: 1 });
    for (const system of ['project', 'noop', 'bare'] as const) {
      const [round] = rounds[system];
      assert.ok(round.sent > 0, `${system} was offered deliveries`);
      assert.equal(round.acknowledged, round.sent, `${system} acknowledged every delivery`);
      assert.ok(Number.isFinite(round.cpuMicrosPerEvent) && round.cpuMicrosPerEvent >= 0);
    }
  });
});
