/**
 * The client's options, states and what accompanies each state change; `readOptions` checks the options
 * and fills in the defaults that docs/client.md lists.
 */
import type { BackoffBounds } from './policy';
import type { WebSocketConstructor } from './socket';

/** `connecting` → `connected` → `disconnected` (a reconnect is scheduled) → `connecting` …; `closed` is final. */
export type ClientState = 'connecting' | 'connected' | 'disconnected' | 'closed';

/** What accompanies a state change. */
export interface StateDetail {
  /** `connecting`: attempts since the last good connection (0 for the first). */
  readonly attempt?: number;
  /** `connected`: the user the token was issued for. */
  readonly user?: string;
  /** `disconnected`, `closed`: the close code (1006 when the connection was lost or never opened) and reason. */
  readonly code?: number;
  readonly reason?: string;
  /** `disconnected`: milliseconds until the next attempt. */
  readonly delayMs?: number;
  /** `disconnected`: the error of a failed `getToken`; `closed`: why the WebSocket could not be made. */
  readonly error?: unknown;
}

/** Options of `new RelayClient(…)` (docs/client.md has the table). */
export interface RelayClientOptions {
  /** The relay's native endpoint: `wss://relay.example.com/ws`. */
  readonly url: string;
  /**
   * Resolves to a JWT from `POST /register`. `renew` is true after the relay said the token expired
   * (close 4001) or refused it (401): register again then. Otherwise a cached token will do.
   */
  readonly getToken: (renew: boolean) => string | Promise<string>;
  /** The WebSocket class; defaults to `globalThis.WebSocket` (pass `ws` in Node 20). */
  readonly WebSocket?: WebSocketConstructor;
  /** First reconnect delay ceiling, in ms (default 500); it doubles per failed attempt. */
  readonly minReconnectDelayMs?: number;
  /** Largest reconnect delay, in ms (default 20000). */
  readonly maxReconnectDelayMs?: number;
  /** Send an application ping this often, in ms (default 20000; 0 turns the heartbeat off). */
  readonly heartbeatMs?: number;
  /** Give the connection up when nothing arrives this long after a ping, in ms (default 10000). */
  readonly heartbeatTimeoutMs?: number;
  /** Give an attempt up when the relay's `hello` has not come this long after it began, in ms (default 15000). */
  readonly connectTimeoutMs?: number;
}

/** The events a client emits. */
export interface ClientEvents extends Record<string, unknown[]> {
  state: [ClientState, StateDetail];
}

/** The options after checking, with defaults filled in. */
export interface ClientSettings {
  readonly bounds: BackoffBounds;
  readonly heartbeatMs: number;
  readonly heartbeatTimeoutMs: number;
  readonly connectTimeoutMs: number;
}

function positive(value: number | undefined, fallback: number, name: string, allowZero = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new TypeError(`${name} must be a positive number of milliseconds`);
  }
  return value;
}

/** Checks the options (a TypeError names the first bad one) and fills in the defaults. */
export function readOptions(options: RelayClientOptions): ClientSettings {
  if (typeof options?.url !== 'string' || !/^wss?:\/\//i.test(options.url)) throw new TypeError("url must be the relay's ws:// or wss:// endpoint (…/ws)");
  if (typeof options.getToken !== 'function') throw new TypeError('getToken must be a function (renew) => JWT');
  const bounds = { minMs: positive(options.minReconnectDelayMs, 500, 'minReconnectDelayMs'), maxMs: positive(options.maxReconnectDelayMs, 20_000, 'maxReconnectDelayMs') };
  if (bounds.maxMs < bounds.minMs) throw new TypeError('maxReconnectDelayMs must be at least minReconnectDelayMs');
  return {
    bounds,
    heartbeatMs: positive(options.heartbeatMs, 20_000, 'heartbeatMs', true),
    heartbeatTimeoutMs: positive(options.heartbeatTimeoutMs, 10_000, 'heartbeatTimeoutMs'),
    connectTimeoutMs: positive(options.connectTimeoutMs, 15_000, 'connectTimeoutMs'),
  };
}
