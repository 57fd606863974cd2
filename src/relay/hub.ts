/**
 * The relay's rooms: which local members (sockets of either protocol) are in which conversation, one
 * broker subscription per conversation with at least one member, and delivery that is gap-free and
 * duplicate-free per member.
 *
 * A join subscribes first, then reads history, then releases the live events that arrived meanwhile:
 * every member keeps the id of the last event it was given and is given only newer ones, so the replay
 * and the live feed can overlap without a duplicate, and nothing published after the subscription
 * became active can fall between them. After the broker reports a gap in its live feed (Redis came
 * back), each room reads history after the last event it saw and delivers the rest the same way.
 */
import { HISTORY_READ_LIMIT, type Broker, type Subscription } from '../broker/broker';
import { compareEventIds, type StoredEvent } from '../events/types';
import type { Logger } from '../log';

/** A socket in one or more conversations. */
export interface Member {
  /** Hands one event to the socket (the member decides what to do when it is too slow). */
  deliver(event: StoredEvent): void;
}

interface MemberState {
  lastId?: string;
  /** Live events held back while the member's history replay is under way. */
  pending?: StoredEvent[];
}

interface Room {
  readonly conversation: string;
  readonly members: Map<Member, MemberState>;
  subscription?: Promise<Subscription>;
  lastSeenId?: string;
}

export interface HubObserver {
  onDelivered?(event: StoredEvent, member: Member): void;
  onBackfill?(conversation: string, count: number): void;
}

export class Hub {
  private readonly rooms = new Map<string, Room>();

  constructor(
    private readonly broker: Broker,
    private readonly log: Logger,
    private readonly observer: HubObserver = {},
  ) {
    broker.onResubscribed(() => void this.backfillAll());
  }

  /** Number of conversations with at least one local member. */
  get roomCount(): number {
    return this.rooms.size;
  }

  /**
   * Adds a member to a conversation and replays history after `after` (all of it when undefined).
   * Resolves with the number of events replayed; rejects (member removed) when the broker is unavailable.
   */
  async join(member: Member, conversation: string, after?: string): Promise<number> {
    let room = this.rooms.get(conversation);
    if (!room) {
      room = { conversation, members: new Map() };
      this.rooms.set(conversation, room);
    }
    const existing = room.members.get(member);
    const state: MemberState = { lastId: after ?? existing?.lastId, pending: [] };
    room.members.set(member, state);
    try {
      await this.subscribe(room);
      let replayed = 0;
      for (;;) {
        const events = await this.broker.history(conversation, state.lastId);
        for (const event of events) if (this.give(member, state, event)) replayed += 1;
        if (events.length < HISTORY_READ_LIMIT) break;
      }
      const pending = state.pending ?? [];
      state.pending = undefined;
      for (const event of pending) if (this.give(member, state, event)) replayed += 1;
      return replayed;
    } catch (error) {
      await this.leave(member, conversation);
      throw error;
    }
  }

  /** Removes a member from a conversation; the last one out unsubscribes. */
  async leave(member: Member, conversation: string): Promise<void> {
    const room = this.rooms.get(conversation);
    if (!room || !room.members.delete(member) || room.members.size > 0) return;
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

  /** Reads what every room missed while the live feed was down, and delivers it. */
  async backfillAll(): Promise<void> {
    await Promise.all(
      [...this.rooms.values()].map(async (room) => {
        try {
          const events = await this.broker.history(room.conversation, room.lastSeenId);
          for (const event of events) this.onLive(room, event);
          this.observer.onBackfill?.(room.conversation, events.length);
        } catch (error) {
          this.log.warn('backfill failed', { conversation: room.conversation, error: String(error) });
        }
      }),
    );
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
    if (room.lastSeenId === undefined || compareEventIds(event.id, room.lastSeenId) > 0) room.lastSeenId = event.id;
    for (const [member, state] of room.members) {
      if (state.pending) state.pending.push(event);
      else this.give(member, state, event);
    }
  }

  private give(member: Member, state: MemberState, event: StoredEvent): boolean {
    if (state.lastId !== undefined && compareEventIds(event.id, state.lastId) <= 0) return false;
    state.lastId = event.id;
    try {
      member.deliver(event);
      this.observer.onDelivered?.(event, member);
    } catch (error) {
      this.log.error('delivery failed', { conversation: event.conversation, error });
    }
    return true;
  }
}
