/**
 * The ids of the last few events the relay gave a member (src/relay/hub.ts). After the store lost its
 * newest writes, they tell the events the member was given from new ones written under reused ids.
 */

/** How many ids a member keeps. */
const SIZE = 16;

/**
 * A ring of the last SIZE ids given, held as numbers: a delivery writes two slots and allocates nothing.
 * Kept as strings, each id would outlive a few young-generation collections (a member is given SIZE
 * events before its oldest id is dropped), be promoted, and make the relay collect its whole heap at a
 * rate set by its event rate.
 */
export class RecentIds {
  /** Milliseconds and sequence of each id, two numbers a slot. */
  private readonly parts = new Float64Array(SIZE * 2);
  /** Ids that two numbers do not hold exactly (not canonical, or past 15 digits), by slot; normally never made. */
  private exact?: Array<string | undefined>;
  private size = 0;
  private next = 0;

  /** Starts with `ids` (oldest first), of which the newest SIZE are kept. */
  constructor(ids: readonly string[] = []) {
    for (const id of ids.slice(-SIZE)) this.add(id);
  }

  add(id: string): void {
    const slot = this.next;
    const dash = id.indexOf('-');
    const ms = dash > 0 ? decimal(id, 0, dash) : -1;
    const seq = ms >= 0 ? decimal(id, dash + 1, id.length) : -1;
    if (seq >= 0) {
      this.parts[slot * 2] = ms;
      this.parts[slot * 2 + 1] = seq;
      if (this.exact) this.exact[slot] = undefined;
    } else {
      (this.exact ??= [])[slot] = id;
    }
    this.next = (slot + 1) % SIZE;
    if (this.size < SIZE) this.size += 1;
  }

  /** The ids, oldest first, as they were given. */
  list(): string[] {
    const ids: string[] = [];
    for (let i = 0; i < this.size; i++) {
      const slot = (this.next - this.size + i + SIZE) % SIZE;
      ids.push(this.exact?.[slot] ?? `${this.parts[slot * 2]}-${this.parts[slot * 2 + 1]}`);
    }
    return ids;
  }
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
