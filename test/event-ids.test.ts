/**
 * Event ids (`<milliseconds>-<sequence>`, as Redis Streams write them) are ordered exactly, whatever
 * their size: Redis sequences are 64-bit, past what a double holds. The relay keeps the ids it last gave
 * each member as numbers, which give back exactly the ids it was given, in order, and order a live event
 * against the last one as compareEventIds does.
 */
import assert from 'node:assert/strict';
import { compareEventIds, previousEventId } from '../src/broker/event';
import { GivenIds } from '../src/relay/given-ids';

const sign = (n: number): number => Math.sign(n);

describe('event ids', () => {
  it('orders by milliseconds, then by sequence, as numbers', () => {
    assert.equal(sign(compareEventIds('999-5', '1000-0')), -1, 'fewer millisecond digits are older');
    assert.equal(sign(compareEventIds('1763719200123-10', '1763719200123-9')), 1, 'sequence compared as a number');
    assert.equal(compareEventIds('1763719200123-0', '1763719200123-0'), 0);
    assert.equal(sign(compareEventIds('1763719200124-0', '1763719200123-99')), 1);
    assert.equal(compareEventIds('01-1', '1-1'), 0, 'leading zeros do not count');
    assert.equal(compareEventIds('5', '5-0'), 0, 'an id without a sequence is sequence 0');
    assert.equal(compareEventIds('', '0-0'), 0);
    assert.equal(sign(compareEventIds('5', '5-1')), -1);
    assert.equal(sign(compareEventIds('6', '5-1')), 1);
  });

  it('orders sequences past 2^53 exactly, where a double would call them equal', () => {
    assert.equal(Number('9007199254740993'), Number('9007199254740992'));
    assert.equal(sign(compareEventIds('5-9007199254740993', '5-9007199254740992')), 1);
    assert.equal(sign(compareEventIds('5-18446744073709551614', '5-18446744073709551615')), -1);
  });

  it('agrees with BigInt ordering on random ids', () => {
    const random = (digits: number): string => String(BigInt(Math.floor(Math.random() * 10 ** Math.min(digits, 15))) * 10n ** BigInt(Math.max(0, digits - 15)) + BigInt(Math.floor(Math.random() * 1000)));
    for (let i = 0; i < 2000; i++) {
      const a = `${random(1 + (i % 14))}-${random(1 + (i % 20))}`;
      const b = i % 3 === 0 ? `${a.split('-')[0]}-${random(1 + (i % 20))}` : `${random(1 + ((i * 7) % 14))}-${random(1 + ((i * 3) % 20))}`;
      const [am, as] = a.split('-').map(BigInt);
      const [bm, bs] = b.split('-').map(BigInt);
      const expected = am !== bm ? (am < bm ? -1 : 1) : as === bs ? 0 : as < bs ? -1 : 1;
      assert.equal(sign(compareEventIds(a, b)), expected, `${a} vs ${b}`);
    }
  });

  it('previousEventId is the greatest id below, exactly', () => {
    assert.equal(previousEventId('5-9007199254740993'), '5-9007199254740992');
    assert.equal(previousEventId('1763719200123-0'), '1763719200122-18446744073709551615');
    assert.equal(previousEventId('1-18446744073709551615'), '1-18446744073709551614');
    assert.equal(previousEventId('0-0'), undefined);
    assert.equal(previousEventId('0-1'), '0-0');
  });
});

describe('the ids a member was last given', () => {
  const withRecent = (ids: readonly string[]): GivenIds => {
    const given = new GivenIds();
    for (const id of ids) given.add(id);
    return given;
  };

  it('gives back the last 16 ids, oldest first, and the last one', () => {
    const given = new GivenIds();
    assert.deepEqual(given.recent(), []);
    assert.equal(given.last, undefined);
    assert.equal(given.hasLast, false);
    const ids = Array.from({ length: 40 }, (_, i) => `${1763719200000 + Math.floor(i / 3)}-${i % 3}`);
    for (const [n, id] of ids.entries()) {
      given.add(id);
      assert.deepEqual(given.recent(), ids.slice(Math.max(0, n - 15), n + 1));
      assert.equal(given.last, id);
      assert.equal(given.hasLast, true);
    }
  });

  it('keeps exactly the ids that two numbers cannot hold', () => {
    const odd = ['5-9007199254740993', '5-18446744073709551615', '01-1', '7-01', '12345678901234567-0', 'x-1'];
    const given = withRecent(['1-0', ...odd, '2-0']);
    assert.deepEqual(given.recent(), ['1-0', ...odd, '2-0']);
    for (const id of odd) {
      given.add(id);
      assert.equal(given.last, id);
      assert.ok(given.isLast(id));
    }
    // A slot that held an exact id and is written again with a plain one gives the plain one.
    for (let i = 0; i < 16; i++) given.add(`3-${i}`);
    assert.deepEqual(given.recent(), Array.from({ length: 16 }, (_, i) => `3-${i}`));
    assert.equal(given.last, '3-15');
  });

  it('starts at a resume point with nothing given', () => {
    const given = new GivenIds('1763719200123-4');
    assert.equal(given.last, '1763719200123-4');
    assert.deepEqual(given.recent(), []);
    assert.equal(new GivenIds('01-4').last, '01-4');
  });

  it('tells the last id character for character, as string equality does', () => {
    const ids = ['1763719200123-4', '0-0', '5-18446744073709551615', '01-4', '1-04', 'x-1', '7'];
    const probes = [...ids, '1763719200123-40', '1763719200123-', '-4', '', '1763719200124-4', '1-4', '5-18446744073709551614', '0-00'];
    for (const last of ids) {
      const given = new GivenIds(last);
      for (const probe of probes) assert.equal(given.isLast(probe), probe === last, `${probe} against ${last}`);
    }
    assert.equal(new GivenIds().isLast(''), false, 'no last id is no id');
  });

  it('orders an id against the last one as compareEventIds does, and every id after none', () => {
    const ids = ['1763719200123-4', '1763719200123-10', '1763719200124-0', '999-9', '0-0', '5-9007199254740993', '5-9007199254740992', '01-4', '7', 'x-1'];
    for (const last of ids) {
      const given = new GivenIds(last);
      for (const id of ids) assert.equal(sign(given.compareToLast(id)), sign(compareEventIds(id, last)), `${id} against ${last}`);
    }
    assert.equal(sign(new GivenIds().compareToLast('0-0')), 1);
  });

  it('advances only to a newer id, as compareToLast and add would, leaving everything as it was otherwise', () => {
    const ids = ['1763719200123-4', '1763719200123-10', '1763719200124-0', '999-9', '0-0', '5-9007199254740993', '5-9007199254740992', '01-4', '7', 'x-1'];
    for (const start of [undefined, ...ids]) {
      for (const id of ids) {
        const given = start === undefined ? new GivenIds() : withRecent(['1-0', start]);
        const before = { last: given.last, recent: given.recent() };
        const newer = given.compareToLast(id) > 0;
        assert.equal(given.advance(id), newer, `${id} after ${start}`);
        if (newer) assert.deepEqual({ last: given.last, recent: given.recent() }, { last: id, recent: [...before.recent, id] });
        else assert.deepEqual({ last: given.last, recent: given.recent() }, before, 'an id not newer changes nothing');
      }
    }
    const fromResumePoint = new GivenIds('5-0');
    assert.equal(fromResumePoint.advance('5-0'), false);
    assert.equal(fromResumePoint.advance('5-1'), true);
    assert.deepEqual(fromResumePoint.recent(), ['5-1']);
  });

  it('rewinds to an older id, keeping only the recent ids not newer than it', () => {
    const given = withRecent(['1-0', '1-1', '2-0', '3-0']);
    given.rewind('2-0');
    assert.equal(given.last, '2-0');
    assert.deepEqual(given.recent(), ['1-0', '1-1', '2-0']);
    given.rewind('1-5');
    assert.equal(given.last, '1-5', 'a position between recent ids');
    assert.deepEqual(given.recent(), ['1-0', '1-1']);
    given.add('1-6');
    assert.deepEqual(given.recent(), ['1-0', '1-1', '1-6']);
    given.rewind(undefined);
    assert.equal(given.last, undefined);
    assert.equal(given.hasLast, false);
    assert.deepEqual(given.recent(), []);
  });
});
