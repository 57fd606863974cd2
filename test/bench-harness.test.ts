/**
 * `npm run bench` starts what it measures as production runs it (the relay container's entry point, the
 * functions under the functions-framework CLI) beside the references; these tests run its side-by-side
 * figures at toy sizes, so a moved entry point or a broken figure fails here rather than in a long
 * benchmark. They assert what was delivered and that CPU was read, never how fast anything was.
 */
import assert from 'node:assert/strict';
import { functionCpuRounds } from '../bench/figures/function-cpu';
import { gather, relayCpuRounds } from '../bench/figures/relay-cpu';
import { benchToken, startRedis, startRelay } from '../bench/harness';
import { DesktopPool, PosterPool } from '../bench/load/pool';

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

  it('event function CPU: the project, the no-op function, the minimal function and the bare reference acknowledge every delivery', async () => {
    const rounds = await functionCpuRounds({ eps: 100, seconds: 1, rounds: 1 });
    for (const system of ['project', 'noop', 'minimal', 'minimalNoop', 'bare'] as const) {
      const [round] = rounds[system];
      assert.ok(round.sent > 0, `${system} was offered deliveries`);
      assert.equal(round.acknowledged, round.sent, `${system} acknowledged every delivery`);
      assert.ok(Number.isFinite(round.cpuMicrosPerEvent) && round.cpuMicrosPerEvent >= 0);
    }
  });

  it('Socket.IO desktops speaking the protocol over ws are served as socket.io-client desktops are: joined, and sent every event', async () => {
    const redis = await startRedis();
    const relay = await startRelay({ REDIS_URL: redis.url });
    const wire = new DesktopPool(1);
    const client = new DesktopPool(1);
    const posters = new PosterPool(1);
    try {
      const token = await benchToken();
      const prefix = 'projects/bench-project/conversations/wire-';
      // The same conversations for both kinds, so each event published reaches one desktop of each.
      assert.equal(await wire.connect({ protocol: 'socketio-wire', url: relay.url, token, prefix, count: 20, concurrency: 10 }), 0, 'every wire desktop joined');
      assert.equal(await client.connect({ protocol: 'socketio', url: relay.url, token, prefix, count: 20, concurrency: 10 }), 0, 'every socket.io-client desktop joined');
      const { sent } = await posters.offer({ mode: 'redis', url: redis.url, prefix, conversations: 20, eps: 200, seconds: 1 });
      assert.ok(sent > 0);
      assert.equal((await gather(wire, sent)).length, sent, 'the wire desktops received every event');
      assert.equal((await gather(client, sent)).length, sent, 'the socket.io-client desktops received every event');
    } finally {
      await posters.close();
      await wire.close();
      await client.close();
      await relay.stop();
      await redis.destroy();
    }
  });

  it('a wire desktop whose token the relay refuses fails to join, as a socket.io-client desktop does', async () => {
    const redis = await startRedis();
    const relay = await startRelay({ REDIS_URL: redis.url });
    const pool = new DesktopPool(1);
    try {
      const prefix = 'projects/bench-project/conversations/refused-';
      assert.equal(await pool.connect({ protocol: 'socketio-wire', url: relay.url, token: 'not-a-token', prefix, count: 3, concurrency: 3 }), 3);
      assert.equal(await pool.connect({ protocol: 'socketio', url: relay.url, token: 'not-a-token', prefix, count: 3, concurrency: 3 }), 3);
    } finally {
      await pool.close();
      await relay.stop();
      await redis.destroy();
    }
  });
});
