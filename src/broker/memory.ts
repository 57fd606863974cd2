/**
 * The embedded broker: one process, no Redis. Used by `npm start` when no Redis is configured and by
 * tests. It keeps the same contract as the Redis broker, including bounded, expiring history and
 * deduplication, so local behaviour matches production.
 */
import { compareEventIds, type EventRecord, type StoredEvent } from './event';
import {
  HISTORY_READ_LIMIT,
  type Broker,
  type BrokerLimits,
  type EventListener,
  type PublishResult,
  type Subscription,
} from './broker';

interface Conversation {
  events: StoredEvent[];
  expiresAt: number;
  lastMs: number;
  lastSeq: number;
}

export class MemoryBroker implements Broker {
  private readonly conversations = new Map<string, Conversation>();
  private readonly seen = new Map<string, number>();
  private readonly listeners = new Map<string, Set<EventListener>>();
  private lastSweep = 0;

  constructor(
    private readonly limits: BrokerLimits,
    private readonly now: () => number = Date.now,
  ) {}

  async publish(record: EventRecord): Promise<PublishResult> {
    const now = this.now();
    this.sweep(now);
    const seenKey = `${record.conversation}\n${record.type}\n${record.messageId}`;
    const seenUntil = this.seen.get(seenKey);
    if (seenUntil !== undefined && seenUntil > now) return { duplicate: true };
    this.seen.set(seenKey, now + this.limits.dedupeTtlSeconds * 1000);

    const conversation = this.conversation(record.conversation, now);
    if (now > conversation.lastMs) {
      conversation.lastMs = now;
      conversation.lastSeq = 0;
    } else {
      conversation.lastSeq += 1;
    }
    const event: StoredEvent = { ...record, id: `${conversation.lastMs}-${conversation.lastSeq}` };
    const live: StoredEvent = { ...event, prevId: conversation.events.at(-1)?.id ?? '' };
    conversation.events.push(event);
    if (conversation.events.length > this.limits.historyMaxLength) {
      conversation.events.splice(0, conversation.events.length - this.limits.historyMaxLength);
    }
    conversation.expiresAt = now + this.limits.historyTtlSeconds * 1000;

    for (const listener of this.listeners.get(record.conversation) ?? []) {
      queueMicrotask(() => listener(live));
    }
    return { id: event.id, duplicate: false };
  }

  async subscribe(conversation: string, listener: EventListener): Promise<Subscription> {
    let set = this.listeners.get(conversation);
    if (!set) this.listeners.set(conversation, (set = new Set()));
    set.add(listener);
    return {
      unsubscribe: async () => {
        set.delete(listener);
        if (set.size === 0 && this.listeners.get(conversation) === set) this.listeners.delete(conversation);
      },
    };
  }

  async history(conversation: string, after?: string, limit = HISTORY_READ_LIMIT): Promise<StoredEvent[]> {
    const entry = this.conversations.get(conversation);
    if (!entry || entry.expiresAt <= this.now()) return [];
    const events = after === undefined ? entry.events : entry.events.filter((e) => compareEventIds(e.id, after) > 0);
    return events.slice(0, limit);
  }

  onResubscribed(): void {
    // One process never loses its feed.
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.listeners.clear();
  }

  private conversation(name: string, now: number): Conversation {
    let entry = this.conversations.get(name);
    if (!entry || entry.expiresAt <= now) {
      // An expired conversation restarts its history, but ids keep increasing.
      entry = { events: [], expiresAt: 0, lastMs: entry?.lastMs ?? 0, lastSeq: entry?.lastSeq ?? 0 };
      this.conversations.set(name, entry);
    }
    return entry;
  }

  /** Drops expired entries at most once a second, so memory stays bounded by live conversations. */
  private sweep(now: number): void {
    if (now - this.lastSweep < 1000) return;
    this.lastSweep = now;
    for (const [key, until] of this.seen) if (until <= now) this.seen.delete(key);
    for (const [key, entry] of this.conversations) {
      if (entry.expiresAt <= now && !this.listeners.has(key)) this.conversations.delete(key);
    }
  }
}
