/**
 * The broker: how event functions hand events to relays. Two implementations keep one contract
 * (test/broker.contract.ts runs the same assertions against each): `MemoryBroker`, the embedded default
 * for one process, and `RedisBroker` for production (one Redis, or Redis Cluster).
 *
 * Contract:
 * - `publish` is atomic: the event is appended to its conversation's history and published on the
 *   conversation's channel together, or neither happens. A subscriber can therefore never see a live event
 *   that history does not hold, nor miss one that history holds (it reads history after subscribing).
 * - `publish` deduplicates by (type, messageId) for the dedupe TTL: a redelivered message is acknowledged
 *   as a duplicate and published nowhere.
 * - Ids increase within a conversation, in publish order; live events reach a subscriber in id order.
 * - History is bounded in length and expires after a period without events.
 * - `subscribe` resolves once the subscription is active: an event published after that is delivered.
 * - When the broker's connection is lost and regained, live events in between may have been missed;
 *   `onResubscribed` listeners are told, so they can backfill from history.
 * - Failures to reach the store raise `UnavailableError` (the caller may retry later).
 */
import type { EventRecord, StoredEvent } from './event';

export interface PublishResult {
  /** The event's id in history; undefined for a duplicate. */
  readonly id?: string;
  readonly duplicate: boolean;
}

export type EventListener = (event: StoredEvent) => void;

export interface Subscription {
  unsubscribe(): Promise<void>;
}

export interface Broker {
  publish(record: EventRecord): Promise<PublishResult>;
  subscribe(conversation: string, listener: EventListener): Promise<Subscription>;
  /** History events with ids after `after` (all when undefined), oldest first, at most `limit`. */
  history(conversation: string, after?: string, limit?: number): Promise<StoredEvent[]>;
  /** Registers a listener for "the live feed had a gap; backfill from history". */
  onResubscribed(listener: () => void): void;
  /** Resolves when the store answers; rejects with UnavailableError otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Limits shared by every implementation. */
export interface BrokerLimits {
  /** Events kept per conversation (older ones are trimmed). */
  readonly historyMaxLength: number;
  /** Seconds a conversation's history lives after its last event. */
  readonly historyTtlSeconds: number;
  /** Seconds a message id is remembered for deduplication. */
  readonly dedupeTtlSeconds: number;
}

/** Default number of events one history read returns. */
export const HISTORY_READ_LIMIT = 1000;
