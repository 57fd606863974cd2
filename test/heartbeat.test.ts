/**
 * The relay's heartbeat spreads its pings over the interval: each socket is pinged once per interval, a
 * slice of them at a time, and a socket that did not answer its previous ping is terminated at its next
 * turn. (test/relay-lifecycle.test.ts finds a dead socket through a real relay.)
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import sinon from 'sinon';
import { Heartbeat, heartbeatSlices } from '../src/relay/heartbeat';

class FakeSocket extends EventEmitter {
  pings = 0;
  terminated = false;
  answers = true;
  ping(): void {
    this.pings += 1;
    if (this.answers) setImmediate(() => this.emit('pong'));
  }
  terminate(): void {
    this.terminated = true;
    this.emit('close');
  }
}

describe('relay heartbeat', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => (clock = sinon.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setImmediate'] })));
  afterEach(() => clock.restore());

  it('pings each socket once per interval, never more than a slice of them at once', async () => {
    const intervalMs = 25_000;
    const heartbeat = new Heartbeat(intervalMs);
    const sockets = Array.from({ length: 1000 }, () => new FakeSocket());
    for (const ws of sockets) heartbeat.add(ws);
    const slice = Math.ceil(sockets.length / heartbeatSlices(intervalMs));
    let pinged = 0;
    for (let t = 0; t < heartbeatSlices(intervalMs) * 2; t++) {
      await clock.tickAsync(intervalMs / heartbeatSlices(intervalMs));
      const now = sockets.reduce((n, ws) => n + ws.pings, 0);
      assert.ok(now - pinged <= slice, `at most ${slice} pings in one turn, saw ${now - pinged}`);
      pinged = now;
    }
    assert.ok(sockets.every((ws) => ws.pings === 2), 'two intervals, two pings each');
    assert.ok(sockets.every((ws) => !ws.terminated), 'every socket answered');
    heartbeat.stop();
  });

  it('terminates a socket that did not answer by its next turn, and stops pinging a closed one', async () => {
    const intervalMs = 10_000;
    const heartbeat = new Heartbeat(intervalMs);
    const silent = new FakeSocket();
    silent.answers = false;
    const closed = new FakeSocket();
    const healthy = new FakeSocket();
    for (const ws of [silent, closed, healthy]) heartbeat.add(ws);
    await clock.tickAsync(intervalMs);
    assert.deepEqual([silent.pings, closed.pings, healthy.pings], [1, 1, 1]);
    closed.emit('close');
    await clock.tickAsync(intervalMs);
    assert.equal(silent.terminated, true, 'no pong to the first ping: terminated at its next turn');
    assert.equal(closed.pings, 1, 'a closed socket is no longer pinged');
    assert.equal(healthy.terminated, false);
    assert.equal(healthy.pings, 2);
    heartbeat.stop();
  });

  it('keeps one slice for a short interval (every socket pinged at once, as a one-second heartbeat needs)', () => {
    assert.equal(heartbeatSlices(1000), 1);
    assert.equal(heartbeatSlices(25_000), 25);
    assert.equal(heartbeatSlices(3_600_000), 60);
  });
});
