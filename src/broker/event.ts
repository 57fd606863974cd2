/**
 * The four Agent Assist notification types and the event record every part of the event path shares.
 */

/** The data types, which are also the Socket.IO event names and the HTTP paths of the functions. */
export const DATA_TYPES = [
  'human-agent-assistant-event',
  'new-message-event',
  'conversation-lifecycle-event',
  'new-recognition-result-notification-event',
] as const;

export type DataType = (typeof DATA_TYPES)[number];

export function isDataType(value: unknown): value is DataType {
  return typeof value === 'string' && (DATA_TYPES as readonly string[]).includes(value);
}

/**
 * An event as the functions append it to a conversation's history and publish it. `data` is the
 * original notification JSON, verbatim, as a string: the Socket.IO contract forwards it as a string,
 * the native protocol splices it into its frame without parsing it again.
 */
export interface EventRecord {
  readonly type: DataType;
  /** `projects/P/conversations/C` (no location). */
  readonly conversation: string;
  /** The Pub/Sub message id. */
  readonly messageId: string;
  /** The Pub/Sub publish time (RFC 3339), or empty when the delivery had none. */
  readonly publishTime: string;
  /** When the function received the delivery (RFC 3339, milliseconds). */
  readonly ackTime: string;
  /** Pub/Sub attributes (for recognition results: `participant_role`, `message_id`). */
  readonly attributes: Readonly<Record<string, string>>;
  /** The notification JSON, as received. */
  readonly data: string;
}

/** An event read from history or a channel: the record plus its id in the conversation's history. */
export interface StoredEvent extends EventRecord {
  /** `<milliseconds>-<sequence>`, increasing within one conversation. */
  readonly id: string;
  /**
   * On live events only: the id of the event that preceded this one in history when it was published
   * (`''` when it was the first), so a subscriber can tell a contiguous feed from one with a gap.
   * Undefined when unknown (history reads, or a publisher that does not say).
   */
  readonly prevId?: string;
}

/** Serializes a record for storage; the inverse of `parseRecord`. */
export function serializeRecord(record: EventRecord): string {
  return JSON.stringify({
    type: record.type,
    conversation: record.conversation,
    messageId: record.messageId,
    publishTime: record.publishTime,
    ackTime: record.ackTime,
    attributes: record.attributes,
    data: record.data,
  });
}

/**
 * Parses a stored record, returning undefined when it is not one (never throws). `prevId` is set on
 * the result when given (a live event), so the caller does not copy the event to add it.
 */
export function parseRecord(id: string, json: string, prevId?: string): StoredEvent | undefined {
  let value: Partial<Mutable<StoredEvent>> | null;
  try {
    value = JSON.parse(json) as Partial<Mutable<StoredEvent>> | null;
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  if (!isDataType(value.type) || typeof value.conversation !== 'string' || typeof value.data !== 'string') return undefined;
  const { type, conversation, messageId, publishTime, ackTime, attributes, data } = value;
  let event: Mutable<StoredEvent>;
  if (isExactRecord(value)) {
    // What serializeRecord wrote: the parsed object becomes the event, with no copy.
    event = value;
    event.id = id;
  } else {
    event = {
      id,
      type,
      conversation,
      messageId: String(messageId ?? ''),
      publishTime: String(publishTime ?? ''),
      ackTime: String(ackTime ?? ''),
      attributes: typeof attributes === 'object' && attributes !== null ? attributes : {},
      data,
    };
  }
  if (prevId !== undefined) event.prevId = prevId;
  return event;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * True when a parsed record has each field of a record, of its type, and no `id` or `prevId` of its own
 * (as serializeRecord writes it). Any further fields are left on it: nothing reads them.
 */
function isExactRecord(value: Partial<Mutable<StoredEvent>>): value is Mutable<StoredEvent> {
  return (
    typeof value.messageId === 'string' &&
    typeof value.publishTime === 'string' &&
    typeof value.ackTime === 'string' &&
    typeof value.attributes === 'object' &&
    value.attributes !== null &&
    value.id === undefined &&
    value.prevId === undefined
  );
}

/**
 * Orders two event ids (`ms-seq`; a missing sequence is 0): negative when a is older than b. Both parts
 * are compared as decimal digit strings (leading zeros ignored), so sequences past 2^53 order exactly,
 * and nothing is allocated: the relay compares ids once per delivery. Ids come from the store or are
 * checked where they enter (`isEventId`); anything else is ordered by character code.
 */
export function compareEventIds(a: string, b: string): number {
  if (a === b) return 0;
  const aDash = dashOf(a);
  const bDash = dashOf(b);
  return (
    compareDigits(a, 0, aDash, b, 0, bDash) ||
    compareDigits(a, Math.min(aDash + 1, a.length), a.length, b, Math.min(bDash + 1, b.length), b.length)
  );
}

function dashOf(id: string): number {
  const dash = id.indexOf('-');
  return dash < 0 ? id.length : dash;
}

/** Compares a[aFrom, aTo) and b[bFrom, bTo) as unsigned decimal numbers. */
function compareDigits(a: string, aFrom: number, aTo: number, b: string, bFrom: number, bTo: number): number {
  while (aFrom < aTo && a.charCodeAt(aFrom) === 0x30) aFrom += 1;
  while (bFrom < bTo && b.charCodeAt(bFrom) === 0x30) bFrom += 1;
  const length = aTo - aFrom;
  if (length !== bTo - bFrom) return length - (bTo - bFrom);
  for (let i = 0; i < length; i++) {
    const difference = a.charCodeAt(aFrom + i) - b.charCodeAt(bFrom + i);
    if (difference !== 0) return difference;
  }
  return 0;
}

/**
 * The greatest id below `id` (so that "after it" includes `id` itself), or undefined for the first
 * possible id. Sequences are 64-bit in Redis; the largest is written out as a string.
 */
export function previousEventId(id: string): string | undefined {
  const dash = dashOf(id);
  const ms = decimalOrZero(id.slice(0, dash));
  const seq = decimalOrZero(id.slice(dash + 1));
  if (seq > 0n) return `${ms}-${seq - 1n}`;
  if (ms > 0n) return `${ms - 1n}-18446744073709551615`;
  return undefined;
}

function decimalOrZero(text: string): bigint {
  return /^\d+$/.test(text) ? BigInt(text) : 0n;
}

/** True when `id` looks like an event id (`ms-seq`). */
export function isEventId(id: unknown): id is string {
  return typeof id === 'string' && /^\d{1,16}-\d{1,16}$/.test(id);
}
