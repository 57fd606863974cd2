/**
 * A broker double whose history reads wait until the test answers them, so a test can force any
 * interleaving of history reads, live events and feed gaps. Live events are pushed by the test, with
 * the `prevId` the real brokers stamp on them.
 */
import type { Broker, EventListener, PublishResult, Subscription } from '../../src/broker/broker';
import { UnavailableError } from '../../src/errors';
import { compareEventIds, type StoredEvent } from '../../src/broker/event';
import { record } from './events';
import { Signal } from './signal';

export interface PendingRead {
  readonly conversation: string;
  readonly after?: string;
  readonly limit?: number;
  /** Answers with the store's events after `after` as they were when the read was made. */
  answer(): void;
  fail(): void;
}

export class ControlledBroker implements Broker {
  /** What the store holds, per conversation, in id order. */
  readonly store = new Map<string, StoredEvent[]>();
  readonly reads: PendingRead[] = [];
  readonly listeners = new Map<string, Set<EventListener>>();
  private readonly resubscribed: Array<() => void> = [];
  private readonly signal = new Signal();
  /** When true, reads answer at once from the store (no test control). */
  autoAnswer = false;
  /** When set, unsubscribing waits for it (a slow UNSUBSCRIBE). */
  unsubscribeGate?: Promise<void>;

  static event(conversation: string, id: string, prevId?: string): StoredEvent {
    return { ...record(conversation, { messageId: `m-${id}` }), id, prevId };
  }

  hold(conversation: string, ...ids: string[]): StoredEvent[] {
    const events = ids.map((id) => ControlledBroker.event(conversation, id));
    this.store.set(conversation, events);
    return events;
  }

  async publish(): Promise<PublishResult> {
    throw new Error('not used');
  }

  async subscribe(conversation: string, listener: EventListener): Promise<Subscription> {
    let set = this.listeners.get(conversation);
    if (!set) this.listeners.set(conversation, (set = new Set()));
    set.add(listener);
    return {
      unsubscribe: async () => {
        await this.unsubscribeGate;
        set.delete(listener);
        if (set.size === 0) this.listeners.delete(conversation);
      },
    };
  }

  history(conversation: string, after?: string, limit?: number): Promise<StoredEvent[]> {
    // Like Redis, the read sees the store as it is when the command runs; only the answer is delayed.
    const all = this.store.get(conversation) ?? [];
    const newer = (after === undefined ? all : all.filter((e) => compareEventIds(e.id, after) > 0)).slice(0, limit ?? 1000);
    return new Promise((resolve, reject) => {
      const read: PendingRead = {
        conversation,
        after,
        limit,
        answer: () => resolve(newer),
        fail: () => reject(new UnavailableError('redis is not connected')),
      };
      if (this.autoAnswer) return read.answer();
      this.reads.push(read);
      this.signal.notify();
    });
  }

  /** Waits for the next unanswered read and removes it from the queue. */
  async nextRead(timeoutMs = 5000): Promise<PendingRead> {
    await this.signal.until(() => this.reads.length > 0, timeoutMs, () => 'no history read came');
    return this.reads.shift()!;
  }

  /** Answers pending reads until none comes within one macrotask turn. */
  async drain(): Promise<void> {
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      const read = this.reads.shift();
      if (!read) return;
      read.answer();
    }
  }

  /** Pushes a live event to the conversation's subscribers, as the channel would. */
  live(event: StoredEvent): void {
    for (const listener of this.listeners.get(event.conversation) ?? []) listener(event);
  }

  onResubscribed(listener: () => void): void {
    this.resubscribed.push(listener);
  }

  /** Reports a gap in the live feed, as a broker does when its connection came back. */
  gap(): void {
    for (const listener of this.resubscribed) listener();
  }

  subscriptions(conversation: string): number {
    return this.listeners.get(conversation)?.size ?? 0;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}
}
