/**
 * The WebSocket the client drives: the browser's own, or one passed in (the `ws` package in Node).
 * Only the part both share is used: the `on…` handler properties, `send`, `close` and `readyState`.
 * Handler parameters are typed `never` so that both the DOM's and `ws`'s classes fit.
 */

/** The subprotocol of the relay's native protocol. */
export const PROTOCOL = 'aa-relay.v1';

/** An open or opening WebSocket. */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** A WebSocket class: `globalThis.WebSocket` in a browser, `require('ws')` in Node. */
export type WebSocketConstructor = new (url: string, protocols: string[]) => WebSocketLike;

/** `readyState` of an open socket (the same in every implementation). */
export const OPEN = 1;

/** The WebSocket class to use: the one given, else the global one. */
export function webSocketClass(given: WebSocketConstructor | undefined): WebSocketConstructor {
  const found = given ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (typeof found !== 'function') {
    throw new TypeError('no WebSocket here: pass one as the WebSocket option (in Node: the ws package)');
  }
  return found;
}

/**
 * The HTTP status of a refused upgrade, when the implementation tells it: `ws` reports
 * "Unexpected server response: 401"; a browser never does (its error event carries nothing).
 */
export function refusedStatus(errorEvent: unknown): number | undefined {
  const event = errorEvent as { message?: unknown; error?: { message?: unknown } } | null;
  const text = [event?.message, event?.error?.message].find((value) => typeof value === 'string') as string | undefined;
  const match = text ? /Unexpected server response: (\d{3})/.exec(text) : null;
  return match ? Number(match[1]) : undefined;
}

/** Drops a socket at once, without waiting for a close handshake a dead peer will never answer. */
export function drop(ws: WebSocketLike): void {
  ws.onopen = ws.onmessage = ws.onclose = null;
  ws.onerror = () => undefined; // a late error on a dropped socket is not ours to report
  const terminate = (ws as { terminate?: () => void }).terminate;
  try {
    if (typeof terminate === 'function') terminate.call(ws);
    else ws.close(1000, 'client gave up on this connection');
  } catch {
    // already closed or closing
  }
}

/** Seconds since the epoch at which a JWT expires (its `exp`), when readable. */
export function tokenExpiry(token: string): number | undefined {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const exp = (JSON.parse(atob(payload)) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp : undefined;
  } catch {
    return undefined;
  }
}
