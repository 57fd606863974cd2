/**
 * The relay's own protocol over plain WebSocket (docs/relay-protocol.md). JSON text frames:
 * client → relay `join` (with an optional resume point `after`), `leave`, `ping`;
 * relay → client `hello`, `joined`, `left`, `event`, `error`, `pong`.
 * An event frame is built once per event and shared by every socket that receives it; the
 * notification JSON is spliced in as it came, without parsing it again. It is framed once too
 * (src/relay/ws-frame.ts) and written whole to each socket's TCP connection.
 */
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { AccessDecision } from '../access/access';
import type { TokenClaims } from '../auth/jwt';
import { describeBadName, parseConversationName, type ConversationName } from '../conversation';
import { isEventId, type StoredEvent } from '../broker/event';
import type { Logger } from '../log';
import type { Hub, Member } from './hub';
import { FrameBudget, type FrameRate } from './frame-budget';
import { builtOncePerEvent } from './per-event';
import { SocketRooms } from './socket-rooms';
import { textFrame } from './ws-frame';

/** WebSocket close codes and what a client should do on each. */
export const CLOSE = {
  /** The relay is shutting down: reconnect (to any instance) and resume from the last event id. */
  SERVICE_RESTART: 1012,
  /** The token expired or was refused: register again, then reconnect. */
  TOKEN_EXPIRED: 4001,
  /** The socket read too slowly and its send buffer passed the limit: reconnect and resume. */
  SLOW_CONSUMER: 4008,
  /** The socket sent frames faster than the relay accepts them: a client fault; reconnect with backoff. */
  TOO_MANY_FRAMES: 4029,
} as const;

export interface ConnectionOptions {
  readonly hub: Hub;
  readonly log: Logger;
  readonly claims: TokenClaims;
  readonly maxBufferedBytes: number;
  readonly maxConversations: number;
  /** Frames a socket may send per second on average, and in one burst. */
  readonly frameRate: FrameRate;
  /** Whether this socket's token may join a conversation (src/access/). */
  readonly access: (conversation: ConversationName) => Promise<AccessDecision>;
  readonly onSlowConsumer?: () => void;
  readonly onJoin?: () => void;
  /**
   * The TCP connection the WebSocket was upgraded on. Given, event frames are written to it whole, framed
   * once per event; without it, each goes through `ws.send`.
   */
  readonly socket?: Duplex;
}

/** The `event` frame of an event, built once however many sockets receive it. */
export const eventFrame = builtOncePerEvent(
  (event: StoredEvent): string =>
    `{"type":"event","id":${JSON.stringify(event.id)},"conversation":${JSON.stringify(event.conversation)}` +
    `,"dataType":${JSON.stringify(event.type)},"messageId":${JSON.stringify(event.messageId)}` +
    `,"publishTime":${JSON.stringify(event.publishTime)},"ackTime":${JSON.stringify(event.ackTime)}` +
    `,"attributes":${JSON.stringify(event.attributes)},"data":${event.data}}`,
);

/** The `event` frame of an event as WebSocket frame bytes, framed once however many sockets receive it. */
export const eventFrameBytes = builtOncePerEvent((event: StoredEvent): Buffer => textFrame(eventFrame(event)));

type Ref = string | number | undefined;

/**
 * The sending side of one native socket, which is also its member in the hub's rooms. One object with the
 * socket and its limit: a delivery reads it and the socket, no closure or options of the connection, and
 * the hub hands every event to every member of a room in one loop.
 */
class NativeSender implements Member {
  /** The relay closed the socket (or it closed): nothing more is sent. */
  closed = false;
  private readonly maxBufferedBytes: number;
  /**
   * Where event frames are written whole: the upgrade's connection, when the socket negotiated no extension
   * (the relay offers none, so frames are never compressed). `ws` writes each frame in one synchronous call
   * too, so the frames of both never interleave, and `bufferedAmount` counts what either queued.
   */
  private readonly wire: Duplex | undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly options: ConnectionOptions,
  ) {
    this.maxBufferedBytes = options.maxBufferedBytes;
    this.wire = ws.extensions === '' ? options.socket : undefined;
  }

  deliver(event: StoredEvent): void {
    if (this.wire === undefined) return this.sendText(eventFrame(event));
    if (this.mayQueue()) this.wire.write(eventFrameBytes(event));
  }

  /** Every other frame goes through here: whatever the relay queues for a socket counts against its limit. */
  sendText(frame: string): void {
    if (this.mayQueue()) this.ws.send(frame);
  }

  /** True when a frame may be queued: the socket is open and what it holds is within the limit. */
  private mayQueue(): boolean {
    return !this.closed && this.ws.readyState === this.ws.OPEN && !this.overLimit();
  }

  /** True, and the socket closed with 4008, when what is queued for it passed the limit. */
  overLimit(): boolean {
    const buffered = this.ws.bufferedAmount;
    if (buffered <= this.maxBufferedBytes) return false;
    this.options.onSlowConsumer?.();
    this.options.log.warn('slow consumer closed', { bufferedBytes: buffered });
    this.closeWith(CLOSE.SLOW_CONSUMER, 'slow consumer: reconnect and resume');
    return true;
  }

  closeWith(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.ws.close(code, reason);
    // A socket that does not read will not complete the closing handshake either.
    setTimeout(() => this.ws.terminate(), 1000).unref();
  }
}

/** Serves one authenticated native socket until it closes. */
export function serveNativeConnection(ws: WebSocket, options: ConnectionOptions): void {
  const { hub, log } = options;
  const budget = new FrameBudget(options.frameRate);
  const sender = new NativeSender(ws, options);
  const closeWith = (code: number, reason: string): void => sender.closeWith(code, reason);
  const send = (frame: object): void => sender.sendText(JSON.stringify(frame));
  const fail = (ref: Ref, code: string, message: string): void => send({ type: 'error', ref, code, message });

  const rooms = new SocketRooms(hub, sender, options.maxConversations);

  const expiresInMs = options.claims.exp * 1000 - Date.now();
  const expiry = setTimeout(() => closeWith(CLOSE.TOKEN_EXPIRED, 'token expired'), Math.max(0, expiresInMs));
  expiry.unref();

  /** Spends one frame of the budget; false (and the socket closed with 4029) past it. */
  const spend = (): boolean => {
    if (budget.take()) return true;
    log.warn('socket closed for sending too many frames', { user: options.claims.gcp_agent_assist_user });
    closeWith(CLOSE.TOO_MANY_FRAMES, 'too many frames');
    return false;
  };
  // WebSocket pings are answered by `ws` itself; they spend from the same budget, and their pongs count
  // against the send limit like any frame.
  ws.on('ping', () => {
    if (sender.closed || !spend()) return;
    sender.overLimit();
  });

  ws.on('message', (raw, isBinary) => {
    if (sender.closed || !spend()) return;
    if (isBinary) return fail(undefined, 'bad-frame', 'frames must be JSON text');
    let frame: { type?: unknown; ref?: unknown; conversation?: unknown; after?: unknown };
    try {
      frame = JSON.parse(raw.toString()) as typeof frame;
    } catch {
      return fail(undefined, 'bad-frame', 'frame is not JSON');
    }
    if (typeof frame !== 'object' || frame === null) return fail(undefined, 'bad-frame', 'frame must be an object');
    const ref: Ref = typeof frame.ref === 'string' || typeof frame.ref === 'number' ? frame.ref : undefined;
    switch (frame.type) {
      case 'ping':
        return send({ type: 'pong', ref });
      case 'join':
        return void join(ref, frame.conversation, frame.after);
      case 'leave':
        return void leave(ref, frame.conversation);
      default:
        return fail(ref, 'unknown-type', 'type must be join, leave or ping');
    }
  });

  async function join(ref: Ref, name: unknown, after: unknown): Promise<void> {
    const parsed = parseConversationName(name);
    if (!parsed) return fail(ref, 'bad-conversation', describeBadName(name));
    if (after !== undefined && after !== null && !isEventId(after)) {
      return fail(ref, 'bad-resume-point', 'after must be an event id from an earlier event frame');
    }
    options.onJoin?.();
    // Access is decided in the request's turn: a refused join is never subscribed, replayed or joined.
    const outcome = await rooms.join(parsed.key, async () => {
      const decision = await options.access(parsed);
      return decision.allowed ? { allowed: true, after: after ?? undefined } : decision;
    });
    if (outcome.ok) return send({ type: 'joined', ref, conversation: parsed.key, replayed: outcome.replayed });
    if (outcome.code === 'refused') return fail(ref, outcome.refusal.code, outcome.refusal.message);
    if (outcome.code === 'too-many-conversations') {
      return fail(ref, 'too-many-conversations', `at most ${options.maxConversations} conversations per socket`);
    }
    if (outcome.code === 'unavailable') {
      log.warn('join failed', { conversation: parsed.key, error: String(outcome.error) });
      fail(ref, 'unavailable', 'could not join now; retry');
    }
  }

  async function leave(ref: Ref, name: unknown): Promise<void> {
    const parsed = parseConversationName(name);
    if (!parsed) return fail(ref, 'bad-conversation', describeBadName(name));
    await rooms.leave(parsed.key);
    send({ type: 'left', ref, conversation: parsed.key });
  }

  ws.on('close', () => {
    sender.closed = true;
    clearTimeout(expiry);
    void rooms.close();
  });
  ws.on('error', (error) => log.debug('socket error', { error: String(error) }));

  send({ type: 'hello', protocol: 'aa-relay.v1', user: options.claims.gcp_agent_assist_user });
}
