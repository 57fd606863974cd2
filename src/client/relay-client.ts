/**
 * The desktop's client of the relay's native protocol (docs/relay-protocol.md; how to use it:
 * docs/client.md). One WebSocket carries any number of subscriptions; the client keeps it up by itself:
 * it reconnects by the close-code policy (src/client/policy.ts), asks for a fresh token after a 4001 close
 * or a 401 upgrade answer, finds a dead connection by heartbeat, and joins every subscription again with
 * `after` its last event id, so each subscription sees each event once, in id order, across reconnects.
 *
 * Runs unchanged in a browser (served as an ES module at `/relay-client.js`) and in Node (pass `ws`).
 */
import { Emitter } from './emitter';
import { toEvent, type Frame } from './frames';
import { readOptions, type ClientEvents, type ClientSettings, type ClientState, type RelayClientOptions, type StateDetail } from './options';
import { backoffDelay, reactionTo } from './policy';
import { OPEN, PROTOCOL, drop, refusedStatus, tokenExpiry, webSocketClass, type WebSocketConstructor, type WebSocketLike } from './socket';
import { RelayError, Subscription, type SubscribeOptions, type SubscriptionHost } from './subscription';

export type * from './notifications';
export type { ClientEvents, ClientState, RelayClientOptions, StateDetail } from './options';
export { RelayError, Subscription, type JoinedInfo, type SubscribeOptions } from './subscription';
export type { WebSocketConstructor, WebSocketLike } from './socket';

/** The client's version; `/relay-client.js` carries it in its header. */
export const VERSION = '1.0.0';

interface Connection {
  readonly ws: WebSocketLike;
  readonly token: string;
  opened: boolean;
  greeted: boolean;
  /** The HTTP status of a refused upgrade, when the WebSocket implementation reports it. */
  refused?: number;
  /** Joins sent and not yet answered, by ref. */
  readonly pending: Map<string, Subscription>;
}

type Timer = ReturnType<typeof setTimeout>;

/** A connection to the relay that subscriptions share; see the module comment. */
export class RelayClient extends Emitter<ClientEvents> implements SubscriptionHost {
  static readonly VERSION = VERSION;
  private current: ClientState = 'connecting';
  private conn?: Connection;
  private readonly subs = new Map<string, Subscription>();
  private readonly WebSocketClass: WebSocketConstructor;
  private readonly settings: ClientSettings;
  private attempt = 0;
  private renewNext = false;
  private failuresBeforeOpen = 0;
  private refs = 0;
  private closed = false;
  private reconnectTimer?: Timer;
  private connectTimer?: Timer;
  private heartbeatTimer?: ReturnType<typeof setInterval>;
  private deadTimer?: Timer;
  private readonly rejoinTimers = new Map<Subscription, Timer>();

  constructor(private readonly options: RelayClientOptions) {
    super();
    this.settings = readOptions(options);
    this.WebSocketClass = webSocketClass(options.WebSocket);
    // Connect on the next microtask, so `state` listeners added right after construction see `connecting`.
    queueMicrotask(() => void this.connect());
  }

  /** The current state. */
  get state(): ClientState {
    return this.current;
  }

  /**
   * Follows a conversation (`projects/P/locations/L/conversations/C`, or without location). Its events
   * replay from `after` (or from the start of the history still held), then continue live. One
   * subscription per conversation at a time.
   */
  subscribe(conversation: string, options: SubscribeOptions = {}): Subscription {
    if (this.closed) throw new Error('the client is closed');
    const sub = new Subscription(String(conversation), options, this);
    if (this.subs.has(sub.key)) throw new Error(`already subscribed to ${sub.key}; unsubscribe first`);
    this.subs.set(sub.key, sub);
    this.join(sub);
    return sub;
  }

  /** Closes the connection for good; no subscription receives anything after this. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearTimers();
    for (const sub of this.subs.values()) sub.end();
    this.subs.clear();
    const conn = this.conn;
    this.conn = undefined;
    if (conn) {
      conn.ws.onopen = conn.ws.onmessage = conn.ws.onclose = null;
      conn.ws.onerror = () => undefined;
      try {
        conn.ws.close(1000, 'client closed');
      } catch {
        // already closing
      }
    }
    this.setState('closed', { reason: 'closed by the client' });
  }

  /** @internal Called by `Subscription.unsubscribe`. */
  unsubscribe(sub: Subscription): void {
    if (this.subs.get(sub.key) === sub) this.subs.delete(sub.key);
    clearTimeout(this.rejoinTimers.get(sub));
    this.rejoinTimers.delete(sub);
    const conn = this.conn;
    if (!conn?.greeted) return;
    // A leave sent while the join is in flight could overtake it; it is sent when `joined` arrives instead.
    if ([...conn.pending.values()].includes(sub)) return;
    this.leave(conn, sub.key);
  }

  private leave(conn: Connection, key: string): void {
    if (!this.subs.has(key)) this.send(conn, { type: 'leave', conversation: key, ref: `l${++this.refs}` });
  }

  private join(sub: Subscription): void {
    const conn = this.conn;
    if (!conn?.greeted || [...conn.pending.values()].includes(sub)) return;
    const ref = `j${++this.refs}`;
    conn.pending.set(ref, sub);
    this.send(conn, { type: 'join', conversation: sub.conversation, after: sub.lastEventId, ref });
  }

  private send(conn: Connection, frame: Frame): void {
    try {
      if (conn.ws.readyState === OPEN) conn.ws.send(JSON.stringify(frame));
    } catch {
      // the socket is going; its close event decides what happens next
    }
  }

  private setState(state: ClientState, detail: StateDetail): void {
    this.current = state;
    this.emit('state', state, detail);
  }

  private async connect(): Promise<void> {
    this.reconnectTimer = undefined;
    if (this.closed) return;
    this.setState('connecting', { attempt: this.attempt });
    const renew = this.renewNext;
    this.renewNext = false;
    let token: string;
    try {
      token = await this.options.getToken(renew);
      if (typeof token !== 'string' || token === '') throw new TypeError('getToken must resolve to a JWT string');
    } catch (error) {
      if (this.closed) return;
      this.renewNext = renew;
      return this.retry(false, { code: 1006, reason: 'getToken failed', error });
    }
    if (this.closed) return;
    let ws: WebSocketLike;
    try {
      ws = new this.WebSocketClass(this.options.url, [PROTOCOL, `bearer.${token}`]);
    } catch (error) {
      return this.stop({ reason: 'could not create a WebSocket', error });
    }
    const conn: Connection = { ws, token, opened: false, greeted: false, pending: new Map() };
    this.conn = conn;
    this.connectTimer = setTimeout(() => this.abandon(conn, 'no hello from the relay in time'), this.settings.connectTimeoutMs);
    ws.onopen = () => {
      conn.opened = true;
    };
    ws.onerror = (event: unknown) => {
      conn.refused ??= refusedStatus(event);
    };
    ws.onmessage = (event: { data: unknown }) => this.receive(conn, event.data);
    ws.onclose = (event: { code: number; reason: string }) => this.lost(conn, event.code, event.reason);
  }

  private receive(conn: Connection, raw: unknown): void {
    if (conn !== this.conn) return;
    clearTimeout(this.deadTimer);
    this.deadTimer = undefined;
    let frame: Frame;
    try {
      frame = JSON.parse(String(raw)) as Frame;
    } catch {
      return;
    }
    if (typeof frame !== 'object' || frame === null) return;
    switch (frame.type) {
      case 'hello':
        return this.greeted(conn, frame);
      case 'event': {
        const event = toEvent(frame);
        if (event) this.subs.get(event.conversation)?.deliver(event);
        return;
      }
      case 'joined':
      case 'error':
        return this.answered(conn, frame);
      default:
      // pong, left: nothing to do
    }
  }

  private greeted(conn: Connection, frame: Frame): void {
    conn.greeted = true;
    this.failuresBeforeOpen = 0;
    clearTimeout(this.connectTimer);
    this.startHeartbeat(conn);
    for (const sub of this.subs.values()) this.join(sub);
    this.goodIfSettled(conn);
    this.setState('connected', { user: typeof frame.user === 'string' ? frame.user : undefined });
  }

  private answered(conn: Connection, frame: Frame): void {
    const ref = typeof frame.ref === 'string' ? frame.ref : undefined;
    const sub = ref === undefined ? undefined : conn.pending.get(ref);
    if (!ref || !sub) return; // answers to pings and leaves
    conn.pending.delete(ref);
    if (frame.type === 'joined') {
      const key = typeof frame.conversation === 'string' ? frame.conversation : sub.key;
      if (!sub.active) {
        this.leave(conn, key);
      } else {
        if (key !== sub.key && this.subs.get(sub.key) === sub && !this.subs.has(key)) {
          this.subs.delete(sub.key);
          sub.key = key;
          this.subs.set(key, sub);
        }
        sub.joined({ conversation: key, replayed: typeof frame.replayed === 'number' ? frame.replayed : 0 });
      }
    } else {
      const code = typeof frame.code === 'string' ? frame.code : 'error';
      const retrying = code === 'unavailable' && sub.active;
      if (retrying) {
        const timer = setTimeout(() => {
          this.rejoinTimers.delete(sub);
          if (sub.active) this.join(sub);
        }, backoffDelay(sub.unavailable++, this.settings.bounds));
        this.rejoinTimers.set(sub, timer);
      } else if (this.subs.get(sub.key) === sub) {
        this.subs.delete(sub.key);
      }
      sub.fail(new RelayError(code, typeof frame.message === 'string' ? frame.message : code, sub.conversation, retrying));
    }
    this.goodIfSettled(conn);
  }

  /** A connection is good once greeted with every join answered: the next failure backs off from the start. */
  private goodIfSettled(conn: Connection): void {
    if (conn === this.conn && conn.greeted && conn.pending.size === 0) this.attempt = 0;
  }

  private startHeartbeat(conn: Connection): void {
    if (this.settings.heartbeatMs === 0) return;
    this.heartbeatTimer = setInterval(() => {
      if (conn !== this.conn) return;
      this.send(conn, { type: 'ping', ref: 'heartbeat' });
      // Browsers do not see a dead TCP connection for minutes; silence after a ping means it is gone.
      this.deadTimer ??= setTimeout(() => this.abandon(conn, 'no answer to the heartbeat'), this.settings.heartbeatTimeoutMs);
    }, this.settings.heartbeatMs);
  }

  private abandon(conn: Connection, reason: string): void {
    if (conn !== this.conn) return;
    drop(conn.ws);
    this.lost(conn, 1006, reason);
  }

  private lost(conn: Connection, code: number, reason: string): void {
    if (conn !== this.conn) return;
    this.conn = undefined;
    this.clearTimers();
    if (this.closed) return;
    if (!conn.opened) {
      // The upgrade failed. Renew the token when it was refused as 401, or has expired; a browser hides
      // the status, so after a few failures in a row the token is renewed too, in case it was revoked.
      const expiry = tokenExpiry(conn.token);
      const unknown = conn.refused === undefined;
      this.failuresBeforeOpen += 1;
      if (conn.refused === 401 || (expiry !== undefined && expiry * 1000 <= Date.now()) || (unknown && this.failuresBeforeOpen % 3 === 0)) this.renewNext = true;
      return this.retry(false, { code, reason: conn.refused ? `upgrade refused with ${conn.refused}` : reason });
    }
    const reaction = reactionTo(code);
    if (reaction === 'stop') return this.stop({ code, reason });
    if (reaction === 'renew') this.renewNext = true;
    this.retry(reaction !== 'backoff', { code, reason });
  }

  private retry(now: boolean, detail: StateDetail): void {
    const delayMs = now ? 0 : backoffDelay(this.attempt++, this.settings.bounds);
    this.setState('disconnected', { ...detail, delayMs });
    if (this.closed) return; // a state listener closed the client
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => void this.connect(), delayMs);
  }

  /** The relay said "don't reconnect" (or no WebSocket could be made): every subscription ends with an error. */
  private stop(detail: StateDetail): void {
    this.closed = true;
    this.clearTimers();
    const subs = [...this.subs.values()];
    this.subs.clear();
    const why = detail.code === undefined ? String(detail.reason) : `the relay closed the connection with ${detail.code}${detail.reason ? ` (${detail.reason})` : ''}`;
    for (const sub of subs) sub.fail(new RelayError('connection-closed', `${why}; not reconnecting`, sub.conversation, false));
    this.setState('closed', detail);
  }

  private clearTimers(): void {
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.connectTimer);
    clearTimeout(this.deadTimer);
    clearInterval(this.heartbeatTimer);
    for (const timer of this.rejoinTimers.values()) clearTimeout(timer);
    this.rejoinTimers.clear();
    this.reconnectTimer = this.connectTimer = this.deadTimer = this.heartbeatTimer = undefined;
  }
}
