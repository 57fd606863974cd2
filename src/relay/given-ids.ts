/**
 * What the relay remembers of the events it gave one member (src/relay/hub.ts): the id of the last one,
 * which every live event is checked against, and the ids of the last few, which after the store lost its
 * newest writes tell the events the member was given from new ones written under reused ids.
 *
 * All of it is held as numbers, in one object: a delivery reads one id and writes a few slots, allocates
 * nothing and keeps no string alive. Kept as the events' id strings, each member would hold strings from
 * one event to its next, which young-generation collections copy and then promote at the event rate.
 */
import { compareEventIds } from '../broker/event';

/** How many of the last ids given a member keeps. */
const SIZE = 16;
/** Slots of `parts` that hold the last id; the ring of recent ids follows. */
const LAST = 0;
const RING = 2;

export class GivenIds {
  /**
   * The last id's milliseconds and sequence (`ms` -1: none), then the ring: two numbers a slot. A plain
   * array of doubles is one object on the heap, beside its owner; a typed array would be three, its
   * numbers outside the heap, each a cache miss away on a delivery.
   */
  private readonly parts: number[] = new Array<number>(RING + SIZE * 2).fill(-1);
  /** The last id when two numbers do not hold it exactly (not canonical, or past 15 digits); normally never set. */
  private exactLast?: string;
  /** Ring ids that two numbers do not hold exactly, by slot; normally never made. */
  private exact?: Array<string | undefined>;
  private size = 0;
  private next = 0;

  /** Starts at `last` (a resume point: nothing given yet) with no recent ids. */
  constructor(last?: string) {
    this.setLast(last);
  }

  /** The last id, or undefined when there is none. Made anew on each read: for catch-up, not per delivery. */
  get last(): string | undefined {
    if (this.exactLast !== undefined) return this.exactLast;
    const ms = this.parts[LAST];
    return ms < 0 ? undefined : `${ms}-${this.parts[LAST + 1]}`;
  }

  get hasLast(): boolean {
    return this.parts[LAST] >= 0 || this.exactLast !== undefined;
  }

  /**
   * Gives `id` when it is newer than the last id (or there is none): it becomes the last id and the newest
   * of the recent ones, and true is returned; false, and nothing changed, for an id not newer. One read
   * of the id for both, since it runs on every delivery.
   */
  advance(id: string): boolean {
    const lastMs = this.parts[LAST];
    if (this.exactLast === undefined && lastMs >= 0 && readId(id)) {
      const ms = read[0];
      const seq = read[1];
      if (ms < lastMs || (ms === lastMs && seq <= this.parts[LAST + 1])) return false;
      this.push(ms, seq);
      return true;
    }
    if (this.compareToLast(id) <= 0) return false;
    this.add(id);
    return true;
  }

  /** An event with this id was given: it becomes the last id, and the newest of the recent ones. */
  add(id: string): void {
    if (readId(id)) {
      this.push(read[0], read[1]);
      return;
    }
    this.parts[LAST] = -1;
    this.exactLast = id;
    (this.exact ??= [])[this.next] = id;
    this.step();
  }

  /**
   * Moves the last id to `id` (the store no longer held the old one), keeping the recent ids that are not
   * newer than it, or none when `id` is undefined (read from the start).
   */
  rewind(id: string | undefined): void {
    const kept = id === undefined ? [] : this.recent().filter((given) => compareEventIds(given, id) <= 0);
    this.size = 0;
    this.next = 0;
    this.exact = undefined;
    for (const given of kept) this.add(given);
    this.setLast(id);
  }

  /** The recent ids, oldest first, as they were given. */
  recent(): string[] {
    const ids: string[] = [];
    for (let i = 0; i < this.size; i++) {
      const slot = (this.next - this.size + i + SIZE) % SIZE;
      const at = RING + slot * 2;
      ids.push(this.exact?.[slot] ?? `${this.parts[at]}-${this.parts[at + 1]}`);
    }
    return ids;
  }

  /** True when `id` is, character for character, the last id. */
  isLast(id: string): boolean {
    if (this.exactLast !== undefined) return id === this.exactLast;
    const ms = this.parts[LAST];
    return ms >= 0 && readId(id) && read[0] === ms && read[1] === this.parts[LAST + 1];
  }

  /** Orders `id` against the last id as compareEventIds does: positive when `id` is newer, or when there is no last id. */
  compareToLast(id: string): number {
    if (this.exactLast !== undefined) return compareEventIds(id, this.exactLast);
    const lastMs = this.parts[LAST];
    if (lastMs < 0) return 1;
    const lastSeq = this.parts[LAST + 1];
    if (!readId(id)) return compareEventIds(id, `${lastMs}-${lastSeq}`);
    const ms = read[0];
    const seq = read[1];
    return ms !== lastMs ? ms - lastMs : seq - lastSeq;
  }

  private setLast(id: string | undefined): void {
    this.exactLast = undefined;
    this.parts[LAST] = -1;
    if (id === undefined) return;
    if (!readId(id)) {
      this.exactLast = id;
      return;
    }
    this.parts[LAST] = read[0];
    this.parts[LAST + 1] = read[1];
  }

  /** The id of these two numbers becomes the last id and the newest of the ring. */
  private push(ms: number, seq: number): void {
    const at = RING + this.next * 2;
    this.parts[LAST] = ms;
    this.parts[LAST + 1] = seq;
    this.parts[at] = ms;
    this.parts[at + 1] = seq;
    this.exactLast = undefined;
    if (this.exact) this.exact[this.next] = undefined;
    this.step();
  }

  private step(): void {
    this.next = (this.next + 1) % SIZE;
    if (this.size < SIZE) this.size += 1;
  }
}

/** Where `readId` puts the two numbers of the id it read: one pair for the process, which is single-threaded. */
const read: [ms: number, seq: number] = [0, 0];

/** Reads `id` into `read`; false (`read` unchanged) when two numbers would not give it back exactly. */
function readId(id: string): boolean {
  const dash = id.indexOf('-');
  const ms = dash > 0 ? decimal(id, 0, dash) : -1;
  const seq = ms >= 0 ? decimal(id, dash + 1, id.length) : -1;
  if (seq < 0) return false;
  read[0] = ms;
  read[1] = seq;
  return true;
}

/**
 * The value of id[from, to) when it is a canonical decimal (no leading zero) of 1 to 15 digits, which a
 * double holds exactly; -1 otherwise.
 */
function decimal(id: string, from: number, to: number): number {
  const length = to - from;
  if (length < 1 || length > 15 || (length > 1 && id.charCodeAt(from) === 0x30)) return -1;
  let value = 0;
  for (let i = from; i < to; i++) {
    const digit = id.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}
