/**
 * The hub under forced interleavings: history reads answered in the order the test says, live events
 * arriving between them, feed gaps, failed reads, and a store that lost its newest entries. Each case
 * is one that lost, repeated or reordered events before live events carried their predecessor's id.
 */
import assert from 'node:assert/strict';
import type { StoredEvent } from '../src/broker/event';
import { Hub, type Member } from '../src/relay/hub';
import { FrameBudget } from '../src/relay/frame-budget';
import { SocketRooms, type Admission } from '../src/relay/socket-rooms';
import { createLogger } from '../src/log';
import { ControlledBroker } from './helpers/controlled-broker';
import { Signal } from './helpers/signal';

const CONVERSATION = 'projects/p/conversations/races';

class Recorder implements Member {
  readonly ids: string[] = [];
  private readonly signal = new Signal();
  deliver(event: StoredEvent): void {
    this.ids.push(event.id);
    this.signal.notify();
  }
  async count(n: number): Promise<string[]> {
    await this.signal.until(() => this.ids.length >= n, 5000, () => `got ${JSON.stringify(this.ids)}`);
    return this.ids;
  }
}

const ev = (id: string, prevId?: string): StoredEvent => ControlledBroker.event(CONVERSATION, id, prevId);

describe('hub: delivery under forced races', () => {
  let broker: ControlledBroker;
  let hub: Hub;
  beforeEach(() => {
    broker = new ControlledBroker();
    hub = new Hub(broker, createLogger('test-hub'));
  });
  /** A member that joined a conversation holding `ids`, its replay answered. */
  async function joinedWith(...ids: string[]): Promise<Recorder> {
    broker.hold(CONVERSATION, ...ids);
    const member = new Recorder();
    const joined = hub.join(member, CONVERSATION);
    (await broker.nextRead()).answer();
    await joined;
    return member;
  }

  it('holds a live event that arrives while a join replays, and gives it after the replay, once', async () => {
    broker.hold(CONVERSATION, '1-0', '2-0');
    const member = new Recorder();
    const joined = hub.join(member, CONVERSATION);
    const read = await broker.nextRead();
    broker.hold(CONVERSATION, '1-0', '2-0', '3-0');
    broker.live(ev('3-0', '2-0'));
    assert.deepEqual(member.ids, [], 'nothing is given before the replay');
    read.answer();
    assert.equal(await joined, 3);
    assert.deepEqual(member.ids, ['1-0', '2-0', '3-0']);
  });

  it('never gives a live event whose id is not above what the member has, though its prevId says it follows', async () => {
    // The stream vanished (evicted, deleted) while its last-id key survived, and the server's clock is
    // behind: new entries start below the id the key still stamps as their predecessor.
    const member = await joinedWith('10-0');
    broker.hold(CONVERSATION, '5-0', '5-1');
    broker.live(ev('5-0', '10-0'));
    broker.live(ev('5-1', '5-0'));
    broker.hold(CONVERSATION, '5-0', '5-1', '11-0');
    broker.live(ev('11-0', '5-1'));
    await broker.drain();
    await member.count(2);
    await broker.drain();
    assert.deepEqual(member.ids, ['10-0', '11-0'], 'in id order, nothing below what was given');
  });

  it('after a feed gap, a live event that overtakes the backfill read waits for it (1, 2, 3, not 1, 3)', async () => {
    const member = await joinedWith('1-0');
    // Redis went away; 2-0 and 3-0 were published meanwhile. The backfill read is slow, and 3-0's live
    // copy (published as the feed came back) arrives first.
    broker.hold(CONVERSATION, '1-0', '2-0', '3-0');
    broker.gap();
    const check = await broker.nextRead();
    assert.equal(check.limit, 1, 'first the check that the store still holds the last id given');
    check.answer();
    const backfill = await broker.nextRead();
    assert.equal(backfill.after, '1-0');
    broker.live(ev('3-0', '2-0'));
    backfill.answer();
    await member.count(3);
    await broker.drain();
    assert.deepEqual(member.ids, ['1-0', '2-0', '3-0']);
  });

  it('a live event that does not follow what the member has is read from history, not given past the gap', async () => {
    const member = await joinedWith('1-0');
    // The feed lost 2-0 and the broker has not reported the gap yet (a live event came first).
    broker.hold(CONVERSATION, '1-0', '2-0', '3-0');
    broker.live(ev('3-0', '2-0'));
    assert.deepEqual(member.ids, ['1-0']);
    const read = await broker.nextRead();
    assert.equal(read.after, '1-0');
    read.answer();
    await member.count(3);
    assert.deepEqual(member.ids, ['1-0', '2-0', '3-0']);
  });

  it('retries a failed backfill with backoff until the store answers', async () => {
    const member = await joinedWith('1-0');
    broker.hold(CONVERSATION, '1-0', '2-0', '3-0');
    broker.gap();
    (await broker.nextRead()).fail();
    (await broker.nextRead()).fail();
    broker.live(ev('4-0', '3-0'));
    broker.hold(CONVERSATION, '1-0', '2-0', '3-0', '4-0');
    broker.autoAnswer = true;
    await member.count(4);
    await broker.drain();
    assert.deepEqual(member.ids, ['1-0', '2-0', '3-0', '4-0']);
  });

  it('a second join of the same member replays nothing twice', async () => {
    broker.hold(CONVERSATION, '1-0', '2-0');
    const member = new Recorder();
    const first = hub.join(member, CONVERSATION);
    const second = hub.join(member, CONVERSATION);
    (await broker.nextRead()).answer();
    assert.deepEqual([await first, await second], [2, 0]);
    await broker.drain();
    assert.deepEqual(member.ids, ['1-0', '2-0']);
  });

  it('when the store lost its newest entries, the position moves back so new events are not silenced', async () => {
    broker.autoAnswer = true;
    broker.hold(CONVERSATION, '1-0', '2-0', '5000-0', '5000-1');
    const member = new Recorder();
    await hub.join(member, CONVERSATION);
    assert.deepEqual(member.ids, ['1-0', '2-0', '5000-0', '5000-1']);
    // A replica promoted without the last two writes, its clock behind: new ids fall below 5000-1.
    broker.hold(CONVERSATION, '1-0', '2-0');
    broker.gap();
    await broker.drain();
    await new Promise((resolve) => setImmediate(resolve));
    broker.hold(CONVERSATION, '1-0', '2-0', '3000-0');
    broker.live(ev('3000-0', '2-0'));
    await member.count(5);
    assert.deepEqual(member.ids.slice(4), ['3000-0']);
  });

  it('after a failover, a new event the promoted replica wrote before the relay re-checked is delivered', async () => {
    broker.autoAnswer = true;
    broker.hold(CONVERSATION, '1-0', '2-0', '5000-0', '5000-1');
    const member = new Recorder();
    await hub.join(member, CONVERSATION);
    // 5000-0 and 5000-1 lost; the new primary, its clock behind, wrote 3000-0 while the relay's feed was down.
    broker.hold(CONVERSATION, '1-0', '2-0', '3000-0');
    broker.gap();
    await member.count(5);
    broker.hold(CONVERSATION, '1-0', '2-0', '3000-0', '3000-1');
    broker.live(ev('3000-1', '3000-0'));
    await member.count(6);
    assert.deepEqual(member.ids.slice(4), ['3000-0', '3000-1']);
  });

  it('a feed gap reported while the position check runs asks for another check', async () => {
    const member = await joinedWith('1-0', '5000-0');
    broker.gap();
    const check = await broker.nextRead(); // the store still holds 5000-0 when this runs
    broker.hold(CONVERSATION, '1-0'); // then loses it
    broker.gap();
    check.answer();
    broker.autoAnswer = true;
    await broker.drain();
    broker.hold(CONVERSATION, '1-0', '3000-0');
    broker.live(ev('3000-0', '1-0'));
    await member.count(3);
    assert.deepEqual(member.ids, ['1-0', '5000-0', '3000-0']);
  });

  it('a backfill read that ran before a missed event was written does not let the next live event skip it', async () => {
    const member = await joinedWith('1-0');
    broker.gap();
    (await broker.nextRead()).answer(); // the position check: 1-0 still held
    const backfill = await broker.nextRead(); // runs now: nothing after 1-0 yet
    // 2-0 is written while the subscription is still down (its live copy lost); 3-0's live copy then
    // arrives before the read's (empty) answer.
    broker.hold(CONVERSATION, '1-0', '2-0', '3-0');
    broker.live(ev('3-0', '2-0'));
    broker.autoAnswer = true;
    backfill.answer();
    await member.count(3);
    await broker.drain();
    assert.deepEqual(member.ids, ['1-0', '2-0', '3-0']);
  });

  it('a resume point above everything the store holds is moved down to its newest event', async () => {
    broker.autoAnswer = true;
    broker.hold(CONVERSATION, '1-0', '2-0');
    const member = new Recorder();
    assert.equal(await hub.join(member, CONVERSATION, '9000-0'), 0);
    broker.hold(CONVERSATION, '1-0', '2-0', '3000-0');
    broker.live(ev('3000-0', '2-0'));
    await member.count(1);
    assert.deepEqual(member.ids, ['3000-0']);
  });

  it('a resume point older than history (trimmed) replays everything held', async () => {
    broker.autoAnswer = true;
    broker.hold(CONVERSATION, '5-0', '6-0');
    const member = new Recorder();
    assert.equal(await hub.join(member, CONVERSATION, '1-0'), 2);
    assert.deepEqual(member.ids, ['5-0', '6-0']);
  });
});

describe('socket rooms: join, join, leave, disconnect in any order', () => {
  let broker: ControlledBroker;
  let hub: Hub;
  beforeEach(() => {
    broker = new ControlledBroker();
    broker.autoAnswer = true;
    hub = new Hub(broker, createLogger('test-hub'));
  });

  /** A resume lookup the test releases when it wants (Socket.IO's message-id lookup reads history). */
  function slowResume(): { resume: () => Promise<Admission>; release: () => void } {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    return { resume: () => gate.then(() => ({ allowed: true, after: '1-0' })), release };
  }
  const admitAll = (): Admission => ({ allowed: true });

  it('a leave sent while the join awaits its resume lookup leaves nothing behind', async () => {
    broker.hold(CONVERSATION, '1-0');
    const member = new Recorder();
    const rooms = new SocketRooms(hub, member, 50);
    const lookup = slowResume();
    const join = rooms.join(CONVERSATION, lookup.resume);
    const leave = rooms.leave(CONVERSATION);
    lookup.release();
    await Promise.all([join, leave]);
    assert.equal(hub.roomCount, 0);
    assert.equal(broker.subscriptions(CONVERSATION), 0);
    assert.equal(rooms.size, 0);
    broker.live(ev('2-0', '1-0'));
    assert.deepEqual(member.ids, [], 'nothing delivered after the leave');
  });

  it('300 join/leave pairs with a resume point end with no room, no subscription and nothing delivered', async () => {
    const member = new Recorder();
    const rooms = new SocketRooms(hub, member, 50);
    const all: Array<Promise<unknown>> = [];
    for (let i = 0; i < 300; i += 1) {
      const name = `${CONVERSATION}-${i}`;
      broker.hold(name, '1-0');
      const lookup = slowResume();
      all.push(rooms.join(name, lookup.resume), rooms.leave(name));
      lookup.release();
    }
    await Promise.all(all);
    assert.equal(hub.roomCount, 0);
    assert.equal([...broker.listeners.values()].reduce((n, s) => n + s.size, 0), 0);
    assert.equal(rooms.size, 0);
  });

  it('disconnect while a join is under way leaves the room the join entered', async () => {
    broker.autoAnswer = false;
    broker.hold(CONVERSATION, '1-0');
    const member = new Recorder();
    const rooms = new SocketRooms(hub, member, 50);
    const join = rooms.join(CONVERSATION, admitAll);
    const read = await broker.nextRead();
    const closed = rooms.close();
    read.answer();
    assert.deepEqual(await join, { ok: false, code: 'closed' });
    await closed;
    assert.equal(hub.roomCount, 0);
    assert.equal(broker.subscriptions(CONVERSATION), 0);
  });

  it('leave A, join A, then join C while the leave unsubscribes: never more rooms than the cap', async () => {
    const member = new Recorder();
    const rooms = new SocketRooms(hub, member, 2);
    assert.equal((await rooms.join(`${CONVERSATION}-a`, admitAll)).ok, true);
    assert.equal((await rooms.join(`${CONVERSATION}-b`, admitAll)).ok, true);
    let release: () => void = () => undefined;
    broker.unsubscribeGate = new Promise<void>((resolve) => (release = resolve));
    const leave = rooms.leave(`${CONVERSATION}-a`);
    const rejoin = rooms.join(`${CONVERSATION}-a`, admitAll);
    await new Promise((resolve) => setImmediate(resolve));
    const third = rooms.join(`${CONVERSATION}-c`, admitAll);
    release();
    const [, again, c] = await Promise.all([leave, rejoin, third]);
    assert.equal(rooms.size, 2);
    assert.equal(hub.roomCount, 2);
    assert.equal([again, c].filter((outcome) => outcome.ok).length, 1, JSON.stringify([again, c]));
  });

  it('two joins back to back replay once; the per-socket cap counts joins under way', async () => {
    broker.hold(CONVERSATION, '1-0', '2-0', '3-0');
    const member = new Recorder();
    const rooms = new SocketRooms(hub, member, 2);
    const outcomes = await Promise.all([
      rooms.join(CONVERSATION, admitAll),
      rooms.join(CONVERSATION, admitAll),
      rooms.join(`${CONVERSATION}-b`, admitAll),
      rooms.join(`${CONVERSATION}-c`, admitAll),
    ]);
    assert.deepEqual(outcomes, [
      { ok: true, replayed: 3 },
      { ok: true, replayed: 0 },
      { ok: true, replayed: 0 },
      { ok: false, code: 'too-many-conversations' },
    ]);
    assert.deepEqual(member.ids, ['1-0', '2-0', '3-0']);
    assert.equal(hub.roomCount, 2);
  });
});

describe('frame budget', () => {
  it('refuses past the burst and refills at the rate', () => {
    let now = 0;
    const budget = new FrameBudget({ perSecond: 10, burst: 5 }, () => now);
    assert.deepEqual(Array.from({ length: 6 }, () => budget.take()), [true, true, true, true, true, false]);
    now += 300;
    assert.deepEqual([budget.take(), budget.take(), budget.take(), budget.take()], [true, true, true, false]);
  });

  it('a clock that goes back neither drains nor refills the budget', () => {
    let now = 1_000_000;
    const budget = new FrameBudget({ perSecond: 20, burst: 100 }, () => now);
    now -= 10_000;
    const refused: number[] = [];
    for (let second = 0; second < 5; second += 1) {
      now += 1000;
      if (!budget.take()) refused.push(second);
    }
    assert.deepEqual(refused, []);
  });
});
