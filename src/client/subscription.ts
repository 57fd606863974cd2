/**
 * One conversation a client follows. It remembers the id of the last event it handed over, so that on
 * every (re)join it asks the relay for what came after it and drops anything at or before it: each
 * event once, in id order, across reconnects.
 */
import { Emitter } from './emitter';
import type { RelayEvent } from './notifications';
import { compareEventIds, conversationKey } from './policy';

/** An error frame from the relay answering a join, or the client's own report of one. */
export class RelayError extends Error {
  /**
   * @param code the relay's code (`bad-conversation`, `bad-resume-point`, `too-many-conversations`,
   *   `forbidden`, `unavailable`, …)
   * @param conversation the name the subscription was made with
   * @param retrying true when the client joins again by itself (`unavailable`); false when the
   *   subscription has ended
   */
  constructor(
    readonly code: string,
    message: string,
    readonly conversation: string,
    readonly retrying: boolean,
  ) {
    super(message);
    this.name = 'RelayError';
  }
}

/** What a `joined` frame says: the room's key and how many events were replayed before it. */
export interface JoinedInfo {
  readonly conversation: string;
  readonly replayed: number;
}

/** The events a subscription emits. */
export interface SubscriptionEvents extends Record<string, unknown[]> {
  event: [RelayEvent];
  error: [RelayError];
  joined: [JoinedInfo];
}

/** Options of `RelayClient.subscribe`. */
export interface SubscribeOptions {
  /** Resume after this event id (one saved from an earlier `event.id`); omit to receive the whole history still held. */
  readonly after?: string;
}

/** What a subscription needs from its client. */
export interface SubscriptionHost {
  unsubscribe(subscription: Subscription): void;
}

/** The events of one conversation; made by `RelayClient.subscribe`. */
export class Subscription extends Emitter<SubscriptionEvents> {
  /** The room key (`projects/P/conversations/C`); the relay's `joined` frame has the final say. */
  key: string;
  private last: string | undefined;
  private ended = false;
  /** Joins refused as `unavailable` in a row (for the retry delay). */
  unavailable = 0;

  constructor(
    /** The conversation name as given to `subscribe`. */
    readonly conversation: string,
    options: SubscribeOptions,
    private readonly host: SubscriptionHost,
  ) {
    super();
    this.key = conversationKey(conversation);
    this.last = options.after;
  }

  /** The id of the last event handed to `event` listeners (or the `after` given), to save and resume from. */
  get lastEventId(): string | undefined {
    return this.last;
  }

  /** False once unsubscribed, refused, or its client closed. */
  get active(): boolean {
    return !this.ended;
  }

  /** Stops receiving this conversation's events (and leaves the relay's room). */
  unsubscribe(): void {
    if (this.ended) return;
    this.ended = true;
    this.host.unsubscribe(this);
  }

  /** @internal Hands an event over unless it is at or before the last one handed over. */
  deliver(event: RelayEvent): void {
    if (this.ended) return;
    if (this.last !== undefined && compareEventIds(event.id, this.last) <= 0) return;
    this.last = event.id;
    this.emit('event', event);
  }

  /** @internal The relay confirmed the join. */
  joined(info: JoinedInfo): void {
    this.unavailable = 0;
    if (!this.ended) this.emit('joined', info);
  }

  /** @internal Reports an error; a final one ends the subscription. */
  fail(error: RelayError): void {
    if (this.ended) return;
    if (!error.retrying) this.ended = true;
    this.emit('error', error);
  }

  /** @internal The client closed. */
  end(): void {
    this.ended = true;
  }
}
