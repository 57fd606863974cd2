/**
 * The Socket.IO v4 endpoint: existing agent desktops (Google's UI modules, the Salesforce, Genesys and
 * Twilio integrations) connect to the relay exactly as they connected to the Python UI connector
 * (docs/socketio.md). Attached to the relay's HTTP server at `/socket.io/`, polling and WebSocket.
 *
 * - Handshake `auth: {token}`: a refused token gets `unauthenticated` sent to that socket alone, then a
 *   `CONNECT_ERROR` ("authentication failed"). Done in a middleware, so the socket never joins the
 *   namespace: nothing broadcast can reach it, and nothing it is sent can reach anyone else.
 * - Heartbeat: engine.io's ping every `heartbeatMs`; a client that does not answer within another
 *   `heartbeatMs` is closed.
 * - Shutdown: every engine connection is closed at the transport, which socket.io-client reports as
 *   "transport close" and reconnects after (a server-side `disconnect()` would tell it not to).
 */
import type { IncomingMessage } from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { CorsOptions } from 'cors';
import type { Server as HttpServer } from 'node:http';
import type { AccessDecision } from '../access/access';
import { TokenError, type TokenClaims } from '../auth/jwt';
import type { ConversationName } from '../conversation';
import type { CorsPolicy } from '../http/cors';
import type { Logger } from '../log';
import type { RelayConfig } from './config';
import { FrameBudget } from './frame-budget';
import type { Hub } from './hub';
import type { RelayMetrics } from './metrics';
import type { Relay, RelayAttachment } from './relay';
import { serveSocketIoConnection } from './socketio-connection';

/** The path the Python connector served (socket.io's default), which desktops are configured with. */
export const SOCKET_IO_PATH = '/socket.io/';
/** Largest message a desktop may send (room requests are a few hundred bytes). */
const MAX_CLIENT_MESSAGE_BYTES = 64 * 1024;

/** An error that socket.io turns into the client's `connect_error` (message and `data`). */
class HandshakeRefused extends Error {
  constructor(
    readonly data: { reason: string },
    message = 'authentication failed',
  ) {
    super(message);
  }
}

/** What the Socket.IO endpoint needs of the relay it is attached to, and nothing more. */
export interface SocketIoContext {
  readonly server: HttpServer;
  readonly hub: Hub;
  readonly metrics: RelayMetrics;
  readonly log: Logger;
  readonly cors: Readonly<CorsOptions>;
  readonly config: Pick<RelayConfig, 'heartbeatMs' | 'maxBufferedBytes' | 'maxConversationsPerSocket' | 'clientFrameRate' | 'maxSocketsPerUser'>;
  /** Verifies a JWT (the relay's one token check). */
  authenticate(token: string | undefined): TokenClaims;
  /** Whether a token may join a conversation. */
  decideJoin(claims: TokenClaims, conversation: ConversationName): Promise<AccessDecision>;
  /** Counts a socket against the per-user limit: its release, or undefined when refused. */
  admitSocket(user: string, protocol: 'socketio'): (() => void) | undefined;
  /** Whether the relay is draining (new sessions are refused). */
  readonly shuttingDown: boolean;
}

/** The narrow context of a built relay (what `createRelay({attachments})` hands an attachment). */
export function socketIoContext(relay: Relay, log: Logger, cors: CorsPolicy): SocketIoContext {
  return {
    server: relay.server,
    hub: relay.hub,
    metrics: relay.metrics,
    log,
    cors: cors.options,
    config: relay.config,
    authenticate: (token) => relay.authenticate(token),
    decideJoin: (claims, conversation) => relay.decideJoin(claims, conversation),
    admitSocket: (user, protocol) => relay.admitSocket(user, protocol),
    get shuttingDown() {
      return relay.shuttingDown;
    },
  };
}

/** What the packet budget needs of an engine.io transport. */
interface EngineTransport {
  on(event: 'packet', listener: () => void): unknown;
  off(event: 'packet', listener: () => void): unknown;
}

/** What the packet budget needs of an engine.io connection. */
interface EngineConnection extends EngineTransport {
  on(event: 'packet' | 'upgrade', listener: () => void): unknown;
  on(event: 'upgrading', listener: (transport: EngineTransport) => void): unknown;
  off(event: 'packet', listener: () => void): unknown;
  off(event: 'upgrading', listener: (transport: EngineTransport) => void): unknown;
  close(discard?: boolean): void;
}

/** Builds the attachment that gives a relay its Socket.IO endpoint (`createRelay({attachments})`). */
export function socketIoAttachment(log: Logger, cors: CorsPolicy): (relay: Relay) => RelayAttachment {
  return (relay) => attachSocketIo(socketIoContext(relay, log, cors));
}

/** Attaches the Socket.IO endpoint to the context's server; returns how it shuts down. */
export function attachSocketIo(context: SocketIoContext): RelayAttachment {
  const { config } = context;
  const log = context.log.child({ protocol: 'socketio' });
  const io = new Server(context.server, {
    path: SOCKET_IO_PATH,
    serveClient: false,
    transports: ['polling', 'websocket'],
    cors: { ...context.cors },
    pingInterval: config.heartbeatMs,
    pingTimeout: config.heartbeatMs,
    maxHttpBufferSize: MAX_CLIENT_MESSAGE_BYTES,
    // Other upgrades (the native `/ws`) belong to the relay: engine.io must not close them.
    destroyUpgrade: false,
    // While draining, new sessions are refused at the engine level: the client treats that as a
    // transport error and keeps retrying (a middleware refusal would stop it for good).
    allowRequest: (_req: IncomingMessage, callback: (err: string | null | undefined, ok: boolean) => void) =>
      callback(context.shuttingDown ? 'shutting down' : null, !context.shuttingDown),
  });

  io.use((socket, next) => {
    // The handshake runs after the CONNECT is read, by when the connection may have closed (a polling
    // POST can carry a CONNECT and a close): admitted then, it would hold one of the user's places for
    // good, since the close that releases it has already happened.
    if (socket.conn.readyState !== 'open') return next(new HandshakeRefused({ reason: 'connection closed' }, 'connection closed'));
    const auth: unknown = socket.handshake.auth;
    const token = typeof auth === 'object' && auth !== null ? (auth as { token?: unknown }).token : undefined;
    let claims: TokenClaims;
    try {
      claims = context.authenticate(typeof token === 'string' ? token : undefined);
    } catch (error) {
      const reason = error instanceof TokenError ? error.message : 'invalid token';
      log.info('handshake refused', { reason });
      // Sent before the refusal, on this socket only (the Python connector broadcast it to everyone).
      socket.emit('unauthenticated');
      return next(new HandshakeRefused({ reason }));
    }
    const release = context.admitSocket(claims.gcp_agent_assist_user, 'socketio');
    if (!release) return next(new HandshakeRefused({ reason: `at most ${config.maxSocketsPerUser} open sockets per user` }, 'too many connections'));
    // Released however the socket ends, including an engine closed before the namespace connected it.
    socket.conn.once('close', release);
    socket.once('disconnect', release);
    socket.data.user = claims.gcp_agent_assist_user;
    socket.data.claims = claims;
    next();
  });

  // Every packet a client sends spends from one budget per connection, whatever namespace it names (a
  // CONNECT to a namespace the relay does not serve never reaches a socket's middleware, yet is answered),
  // and so does each upgrade probe. Past the budget, a connected socket is disconnected by the server
  // (socket.io-client does not reconnect after that: flooding is a client fault); a connection without
  // one is closed, discarding what it buffered, in the turn of the packet over the budget, so that
  // socket.io does not read it.
  const connected = new WeakMap<object, Socket>();
  io.engine.on('connection', (conn: EngineConnection) => {
    const budget = new FrameBudget(config.clientFrameRate);
    let over = false;
    let probing: EngineTransport | undefined;
    const spend = (): boolean => {
      if (over) return false;
      if (budget.take()) return true;
      over = true;
      log.warn('socket closed for sending too many packets', { user: String(connected.get(conn)?.data.user ?? '') });
      return false;
    };
    const close = (): void => {
      conn.off('packet', onPacket);
      conn.off('upgrading', onUpgrading);
      probing?.off('packet', onPacket);
      const socket = connected.get(conn);
      if (socket?.connected) socket.disconnect(true);
      else conn.close(true);
    };
    // Also listens on a transport being probed: upgrade probes (`2probe`) go to engine.io's own listener
    // there, not to the connection's packet event. Ours is added after it, so a probe over the budget has
    // been answered, and engine.io's upgrade timers armed, by the time the close clears them.
    const onPacket = (): void => {
      if (!spend()) close();
    };
    // Told after the first probe of a transport is answered; closing on the next tick leaves that order.
    const onUpgrading = (transport: EngineTransport): void => {
      if (transport === probing) return;
      probing?.off('packet', onPacket);
      probing = transport;
      transport.on('packet', onPacket);
      if (!spend()) process.nextTick(close);
    };
    conn.on('packet', onPacket);
    conn.on('upgrading', onUpgrading);
    // Once upgraded, the transport's packets reach the connection's packet event.
    conn.on('upgrade', () => {
      probing?.off('packet', onPacket);
      probing = undefined;
    });
  });

  io.on('connection', (socket: Socket) => {
    connected.set(socket.conn, socket);
    context.metrics.connections.inc({ protocol: 'socketio' });
    socket.on('disconnect', () => context.metrics.connections.dec({ protocol: 'socketio' }));
    serveSocketIoConnection(socket, {
      hub: context.hub,
      log,
      maxBufferedBytes: config.maxBufferedBytes,
      maxConversations: config.maxConversationsPerSocket,
      access: (conversation) => context.decideJoin(socket.data.claims as TokenClaims, conversation),
      onSlowConsumer: () => context.metrics.slowConsumers.inc({ protocol: 'socketio' }),
      onJoin: () => context.metrics.joins.inc({ protocol: 'socketio' }),
    });
  });

  return {
    upgradePrefixes: [SOCKET_IO_PATH],
    async shutdown() {
      const sockets = [...io.of('/').sockets.values()];
      const gone = Promise.all(
        sockets.map((socket) => new Promise<void>((resolve) => (socket.connected ? socket.once('disconnect', () => resolve()) : resolve()))),
      );
      for (const socket of sockets) {
        const transport = socket.conn.transport;
        // A polling client between two requests cannot be told anything (the port is closed by now):
        // end its session at once rather than wait for a request it will never get to make.
        socket.conn.close(transport.name === 'polling' && !transport.writable);
      }
      await gone;
      // Engine sessions that never finished the Socket.IO handshake.
      io.engine.close();
      log.notice('socket.io endpoint stopped', { sockets: sockets.length });
    },
  };
}
