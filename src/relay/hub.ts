/**
 * The relay's rooms: which local members (sockets of either protocol) are in which conversation, one
 * broker subscription per conversation with at least one member, and delivery that is gap-free,
 * duplicate-free and in id order per member, whatever happens to the live feed.
 *
 * Each member keeps the id of the last event it was given (`lastId`, held as numbers by `GivenIds`);
 * everything up to it was given, in order, with no gap. An event is given directly from the live feed
 * only when it follows `lastId` (its `prevId`, stamped by the broker at publish time, is `lastId`).
 * Otherwise the member catches up: it reads history after `lastId`, holding live events meanwhile, and
 * releases the held ones after the read when they continue it (or reads again when they do not). A join is the first catch-up. So replay
 * racing live events, a join while a feed reconnects, or a live event arriving before the backfill of a
 * reconnect, can neither reorder, repeat nor skip an event.
 *
 * After the broker reports a gap in its live feed (Redis came back), every room catches up, retrying
 * with backoff until the store answers. When the store no longer holds a member's last id (it lost its
 * last writes: restarted from an older snapshot, or a replica was promoted), the member's position moves
 * back to the newest event the store still holds at or before it, so new events, whatever their ids,
 * reach it (docs/relay-protocol.md, "When Redis fails over").
 */
import { HISTORY_READ_LIMIT, type Broker, type Subscription } from '../broker/broker';
import { compareEventIds, previousEventId, type StoredEvent } from '../broker/event';
import type { Logger } from '../log';
import { GivenIds } from './given-ids';

/** A socket in one or more conversations. */
export interface Member {
  /** Hands one event to the socket (the member decides what to do when it is too slow). */
  deliver(event: StoredEvent): void;
}

/** Live events held for one member while it catches up; past this, they are dropped and re-read. */
const MAX_HELD = 1000;
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 5000;
/**
 * Reads in a row that found nothing to close a gap before the held event is given as it is: history
 * cannot reach it (it expired as it was published). Any earlier, a read that ran before the missing event
 * was written would let it be skipped.
 */
const EMPTY_READS_BEFORE_GIVING_UP = 3;

/**
 * One member's place in one room: what it was given (its `GivenIds`, of which it is one) and where its
 * catch-up stands. One object, since the hub reads it on every delivery to the member.
 */
class MemberState extends GivenIds {
  /** A catch-up read is running (or waiting to retry): live events are held, not given. */
  busy = true;
  held: StoredEvent[] = [];
  /** Held events were dropped (too many): read history again instead of releasing them. */
  overflow = false;
  /** The member left, or its join failed: stop reading for it. */
  gone = false;
  /** Check, before the next read, that the store still holds the last id (after a feed gap or a resume). */
  verify: boolean;
  /** The live feed had a gap while a read was running: read once more before calling it caught up. */
  again = false;
  failures = 0;
  timer?: NodeJS.Timeout = undefined;
  /** The join's catch-up, which a second join of the same member waits for. */
  joining?: Promise<number> = undefined;

  /** Joins `member` at `after` (a resume point) or, when undefined, at the start of history. */
  constructor(
    readonly member: Member,
    after?: string,
  ) {
    super(after);
    this.verify = after !== undefined;
  }
}

interface Room {
  readonly conversation: string;
  readonly members: Map<Member, MemberState>;
  subscription?: Promise<Subscription>;
}

export interface HubObserver {
  onDelivered?(event: StoredEvent, member: Member): void;
  onBackfill?(conversation: string, count: number): void;
  /** The store no longer held a member's last id; its position moved back to `to`. */
  onRewind?(conversation: string): void;
}

export class Hub {
  private readonly rooms = new Map<string, Room>();

  constructor(
    private readonly broker: Broker,
    private readonly log: Logger,
    private readonly observer: HubObserver = {},
  ) {
    broker.onResubscribed(() => this.backfillAll());
  }

  /** Number of conversations with at least one local member. */
  /**
   * The history id of the newest event whose Pub/Sub message id is `messageId` (a Socket.IO client's
   * resume point), or undefined when history no longer holds it (trimmed, expired) or never did.
   */
  async findEventId(conversation: string, messageId: string): Promise<string | undefined> {
    let found: string | undefined;
    let after: string | undefined;
    for (;;) {
      const page = await this.broker.history(conversation, after, HISTORY_READ_LIMIT);
      for (const event of page) if (event.messageId === messageId) found = event.id;
      if (page.length < HISTORY_READ_LIMIT) return found;
      after = page[page.length - 1].id;
    }
  }

  get roomCount(): number {
    return this.rooms.size;
  }

  /** True when `member` is in `conversation` (joined or joining). */
  has(member: Member, conversation: string): boolean {
    return this.rooms.get(conversation)?.members.has(member) ?? false;
  }

  /**
   * Adds a member to a conversation and replays history after `after` (all of it when undefined).
   * Resolves with the number of events replayed. Joining again while in the room replays nothing and
   * resolves once the first join has caught up. Rejects (member removed) when the broker is unavailable.
   */
  async join(member: Member, conversation: string, after?: string): Promise<number> {
    let room = this.rooms.get(conversation);
    if (!room) {
      room = { conversation, members: new Map() };
      this.rooms.set(conversation, room);
    }
    const existing = room.members.get(member);
    if (existing) {
      await existing.joining;
      return 0;
    }
    const state = new MemberState(member, after);
    room.members.set(member, state);
    const joined = (async () => {
      try {
        await this.subscribe(room);
        return await this.catchUp(room, member, state);
      } catch (error) {
        if (room.members.get(member) === state) await this.leave(member, conversation);
        throw error;
      }
    })();
    state.joining = joined.catch(() => 0);
    return joined;
  }

  /** Removes a member from a conversation; the last one out unsubscribes. */
  async leave(member: Member, conversation: string): Promise<void> {
    const room = this.rooms.get(conversation);
    const state = room?.members.get(member);
    if (!room || !state) return;
    state.gone = true;
    clearTimeout(state.timer);
    room.members.delete(member);
    if (room.members.size > 0) return;
    this.rooms.delete(conversation);
    const subscription = room.subscription;
    if (subscription) {
      await subscription.then((s) => s.unsubscribe()).catch((error: unknown) => {
        this.log.warn('unsubscribe failed', { conversation, error: String(error) });
      });
    }
  }

  /** Removes a member from every conversation it is in. */
  async leaveAll(member: Member, conversations: Iterable<string>): Promise<void> {
    await Promise.all([...conversations].map((conversation) => this.leave(member, conversation)));
  }

  /** After a gap in the live feed: every member checks its position and reads what it missed. */
  backfillAll(): void {
    for (const room of this.rooms.values()) {
      for (const [member, state] of room.members) {
        state.verify = state.hasLast;
        state.again = true;
        this.recover(room, member, state);
      }
    }
  }

  private subscribe(room: Room): Promise<Subscription> {
    if (!room.subscription) {
      room.subscription = this.broker.subscribe(room.conversation, (event) => this.onLive(room, event));
      room.subscription.catch(() => {
        if (this.rooms.get(room.conversation) === room) room.subscription = undefined;
      });
    }
    return room.subscription;
  }

  private onLive(room: Room, event: StoredEvent): void {
    // Over the states alone (each names its member): no entry pair per member and event.
    for (const state of room.members.values()) {
      const { member } = state;
      if (state.busy) {
        if (state.held.length < MAX_HELD) state.held.push(event);
        else state.overflow = true;
        continue;
      }
      // The common case first: the event continues what the member has (give() still drops a repeat).
      if (follows(event, state)) {
        this.give(member, state, event);
        continue;
      }
      if (state.compareToLast(event.id) <= 0) continue;
      // A gap between what the member has and this event: read it from history.
      state.held.push(event);
      this.recover(room, member, state);
    }
  }

  /** Starts a background catch-up that retries with backoff until it succeeds or the member leaves. */
  private recover(room: Room, member: Member, state: MemberState): void {
    if (state.gone || (state.busy && state.timer === undefined)) return;
    clearTimeout(state.timer);
    state.timer = undefined;
    state.busy = true;
    void this.catchUp(room, member, state).then(
      (count) => {
        state.failures = 0;
        if (count > 0) this.observer.onBackfill?.(room.conversation, count);
      },
      (error: unknown) => {
        if (state.gone) return;
        state.failures += 1;
        // Jittered, so the members of every room do not retry in step against a Redis that just came back.
        const delay = Math.min(RETRY_FIRST_MS * 2 ** (state.failures - 1), RETRY_MAX_MS) * (0.5 + Math.random());
        if (state.failures === 1) this.log.warn('backfill failed; retrying', { conversation: room.conversation, error: String(error) });
        state.busy = true;
        state.timer = setTimeout(() => this.recover(room, member, state), delay);
        state.timer.unref();
      },
    );
  }

  /**
   * Reads history after the member's last id and gives it, then releases the live events held
   * meanwhile, reading again while they do not continue what was given. The member stays busy (live
   * events held) until it is caught up, or, when a read fails, until the caller retries.
   */
  private async catchUp(room: Room, member: Member, state: MemberState): Promise<number> {
    const { conversation } = room;
    let given = 0;
    let emptyReads = 0;
    for (;;) {
      state.again = false;
      const lastId = state.last;
      if (state.verify && lastId !== undefined) {
        // Cleared before the check, so a feed gap reported while it runs asks for another one.
        state.verify = false;
        let position: string | undefined;
        try {
          position = await this.position(conversation, lastId, state.recent());
        } catch (error) {
          state.verify = true;
          throw error;
        }
        if (state.gone) return given;
        if (position !== lastId) {
          this.log.warn('history rewound; position moved back', { conversation });
          this.observer.onRewind?.(conversation);
          state.rewind(position);
        }
      }
      state.overflow = false;
      let read = 0;
      for (;;) {
        const events = await this.broker.history(conversation, state.last);
        if (state.gone) return given;
        for (const event of events) if (this.give(member, state, event)) read += 1;
        if (events.length < HISTORY_READ_LIMIT) break;
      }
      given += read;
      const held = state.held;
      state.held = [];
      if (state.overflow) continue;
      let gap = false;
      emptyReads = read > 0 ? 0 : emptyReads + 1;
      for (const [index, event] of held.entries()) {
        if (state.compareToLast(event.id) <= 0) continue;
        if (!follows(event, state) && emptyReads < EMPTY_READS_BEFORE_GIVING_UP) {
          // Read again, and keep the rest held: the read may have run before the missing event was written.
          state.held = held.slice(index).concat(state.held);
          gap = true;
          break;
        }
        if (this.give(member, state, event)) given += 1;
      }
      if (!gap && state.held.length === 0 && !state.again) break;
    }
    state.busy = false;
    return given;
  }

  /**
   * Where a member at `id` stands in the store: `id` itself when the store still holds it (the normal
   * case). When it does not, the store lost its newest entries (or trimmed or expired them): the position
   * is then the newest stored event the member was given, known by `recent` (the ids it was last given) or
   * by being older than all of them, so that everything the store wrote since, whatever its id, is read.
   * With nothing to go by (a resume point the member brought, no id given yet), the newest stored event at
   * or before `id`; and `id` itself when the store holds nothing at or before it, as all it holds is newer.
   */
  private async position(conversation: string, id: string, recent: readonly string[]): Promise<string | undefined> {
    const [first] = await this.broker.history(conversation, previousEventId(id), 1);
    if (first?.id === id) return id;
    const oldestRecent = recent[0];
    const known = new Set(recent);
    let newest: string | undefined;
    let after: string | undefined;
    for (;;) {
      const page = await this.broker.history(conversation, after);
      for (const event of page) {
        if (compareEventIds(event.id, id) > 0) return this.settle(newest, id, recent);
        if (oldestRecent === undefined || known.has(event.id) || compareEventIds(event.id, oldestRecent) < 0) newest = event.id;
      }
      if (page.length < HISTORY_READ_LIMIT) return this.settle(newest, id, recent);
      after = page[page.length - 1].id;
    }
  }

  /** With recent ids known, "nothing given is still held" means read from the start; without, stay at `id`. */
  private settle(newest: string | undefined, id: string, recent: readonly string[]): string | undefined {
    if (newest !== undefined) return newest;
    return recent.length > 0 ? undefined : id;
  }

  /**
   * Gives one event unless it is not newer than what the member has, even when its `prevId` says it
   * follows: a stream that vanished while its last-id key survived restarts at ids below it.
   */
  private give(member: Member, state: MemberState, event: StoredEvent): boolean {
    if (state.gone) return false;
    if (!state.advance(event.id)) return false;
    try {
      member.deliver(event);
      this.observer.onDelivered?.(event, member);
    } catch (error) {
      this.log.error('delivery failed', { conversation: event.conversation, error });
    }
    return true;
  }
}

/** True when a live event directly continues what a member was given (or when the broker did not say). */
function follows(event: StoredEvent, given: GivenIds): boolean {
  const { prevId } = event;
  return prevId === undefined || (given.hasLast ? given.isLast(prevId) : prevId === '');
}
