/**
 * What the client does when a connection ends, and how long it waits: the close-code policy of
 * docs/relay-protocol.md ("Close codes"), exponential backoff with jitter, and event id order.
 */

/** How the client reacts to a close code. */
export type Reaction =
  /** Reconnect at once and resume (1012: the relay is draining; any instance will do). */
  | 'now'
  /** Ask for a fresh token (`getToken(true)`), then reconnect at once and resume (4001). */
  | 'renew'
  /** Reconnect after a backoff delay and resume (lost connection, slow consumer, server trouble). */
  | 'backoff'
  /** Do not reconnect: the relay or the protocol said no, and trying again would repeat it. */
  | 'stop';

/** Codes after which reconnecting later may succeed. */
const BACKOFF_CODES = new Set([
  1000, // normal closure by the server or a proxy in front of it: the desktop still wants its events
  1001, // going away
  1005, // closed without a code
  1006, // abnormal: the connection was lost, or the relay stopped answering pings
  1011, // internal error
  1013, // try again later
  1014, // bad gateway
  1015, // TLS handshake failed
  4008, // slow consumer: the send buffer passed RELAY_MAX_BUFFERED_BYTES
]);

/**
 * The reaction to close `code`. Everything not listed as retryable means "don't": protocol and policy
 * violations (1002, 1003, 1007, 1008, 1009, 1010) and every other application code (3000–4999).
 */
export function reactionTo(code: number): Reaction {
  if (code === 1012) return 'now';
  if (code === 4001) return 'renew';
  return BACKOFF_CODES.has(code) ? 'backoff' : 'stop';
}

/** Backoff bounds, in milliseconds. */
export interface BackoffBounds {
  readonly minMs: number;
  readonly maxMs: number;
}

/**
 * The delay before reconnect attempt `attempt` (0 after a good connection): a ceiling doubling from
 * `minMs` up to `maxMs`, and a uniformly random delay in its upper half, so desktops dropped together
 * do not come back together, and no delay exceeds `maxMs`.
 */
export function backoffDelay(attempt: number, bounds: BackoffBounds, random: () => number = Math.random): number {
  const ceiling = Math.min(bounds.maxMs, bounds.minMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

const EVENT_ID = /^(\d{1,16})-(\d{1,16})$/;

/** Whether `id` is an event id (`<ms>-<seq>`). */
export function isEventId(id: unknown): id is string {
  return typeof id === 'string' && EVENT_ID.test(id);
}

function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Orders two event ids as the history does: by milliseconds, then sequence (negative when `a` is older). */
export function compareEventIds(a: string, b: string): number {
  const [, am = '0', as = '0'] = EVENT_ID.exec(a) ?? [];
  const [, bm = '0', bs = '0'] = EVENT_ID.exec(b) ?? [];
  return compareDigits(am, bm) || compareDigits(as, bs);
}

const NAME = /^projects\/([^/]+)\/(?:locations\/[^/]+\/)?conversations\/([^/]+)$/;

/** The room key of a conversation name (`projects/P/conversations/C`), or the name itself when malformed. */
export function conversationKey(name: string): string {
  const match = NAME.exec(name);
  return match ? `projects/${match[1]}/conversations/${match[2]}` : name;
}
