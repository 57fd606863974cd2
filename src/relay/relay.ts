/**
 * Builds the relay: the native WebSocket endpoint (`/ws`) on an unstarted HTTP server (upgrade,
 * heartbeat, shutdown), plus any attachments (the Socket.IO endpoint). The HTTP routes (status, health,
 * metrics, the desktop routes) are the app's (src/app/relay-routes.ts). Only a `main` listens.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { ConversationAccess, type AccessDecision } from '../access/access';
import { UserSocketLimit } from '../access/socket-limit';
import { TokenError, tokenFromHeader, type JwtSettings, type TokenClaims } from '../auth/jwt';
import { checkToken } from '../auth/require-token';
import type { Broker } from '../broker/broker';
import type { ConversationName } from '../conversation';
import type { Logger } from '../log';
import type { RelayConfig } from './config';
import { Heartbeat } from './heartbeat';
import { Hub } from './hub';
import { RelayMetrics } from './metrics';
import { CLOSE, serveNativeConnection } from './native';

/** The subprotocol of the native protocol; a browser also offers `bearer.<JWT>` to authenticate. */
export const NATIVE_PROTOCOL = 'aa-relay.v1';
const BEARER_PROTOCOL = 'bearer.';

export interface RelayDeps {
  readonly broker: Broker;
  readonly jwt: JwtSettings;
  readonly log: Logger;
  readonly config: RelayConfig;
  /** Who may join which conversation (src/access/); project binding only when absent. */
  readonly access?: ConversationAccess;
  /**
   * The unstarted HTTP server whose upgrades the relay serves (the app's, carrying the HTTP routes);
   * a bare one when absent.
   */
  readonly server?: Server;
  /** Extensions given the built relay (the Socket.IO endpoint attaches this way). */
  readonly attachments?: ReadonlyArray<(relay: Relay) => RelayAttachment>;
}

/** What an attachment hands back: upgrade paths it owns, and how it shuts down. */
export interface RelayAttachment {
  /** Path prefixes whose WebSocket upgrades the attachment handles itself. */
  readonly upgradePrefixes?: readonly string[];
  /** Closes the attachment's sockets with a "reconnect" signal. */
  shutdown?(): Promise<void>;
}

export interface Relay {
  readonly server: Server;
  readonly hub: Hub;
  readonly metrics: RelayMetrics;
  /** The relay's settings. */
  readonly config: RelayConfig;
  /** Verifies a JWT for a connection (shared by both protocols). */
  authenticate(token: string | undefined): TokenClaims;
  /** Whether a token may join a conversation (shared by both protocols; refusals are counted). */
  decideJoin(claims: TokenClaims, conversation: ConversationName): Promise<AccessDecision>;
  /**
   * Counts a new socket of `user` against RELAY_MAX_SOCKETS_PER_USER: a release to call when the socket
   * ends, or undefined (counted and logged) when the user already holds the maximum.
   */
  admitSocket(user: string, protocol: 'native' | 'socketio'): (() => void) | undefined;
  /** Stops accepting, closes every socket with the reconnect code, resolves when done (bounded). */
  shutdown(): Promise<void>;
  readonly shuttingDown: boolean;
}

/** The token of an upgrade: `Authorization: Bearer`, or a `bearer.<JWT>` subprotocol (browsers). */
export function upgradeToken(req: IncomingMessage): string | undefined {
  const fromHeader = tokenFromHeader(req.headers.authorization);
  if (fromHeader) return fromHeader;
  const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const bearer = protocols.find((p) => p.startsWith(BEARER_PROTOCOL));
  return bearer ? bearer.slice(BEARER_PROTOCOL.length) : undefined;
}

function refuse(socket: Duplex, status: number, reason: string): void {
  const body = JSON.stringify({ error: reason });
  const retry = status === 503 ? 'Retry-After: 1\r\n' : '';
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\n${retry}` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

export function createRelay(deps: RelayDeps): Relay {
  const { broker, log, config } = deps;
  const metrics = new RelayMetrics();
  const hub = new Hub(broker, log.child({ module: 'hub' }), {
    onDelivered(event) {
      metrics.countDelivery(event);
    },
    onBackfill(_conversation, count) {
      metrics.backfilled.inc(count);
    },
  });
  broker.onResubscribed(() => metrics.reconnects.inc());
  const access = deps.access ?? ConversationAccess.projectOnly(log.child({ module: 'access' }));
  const perUser = new UserSocketLimit(config.maxSocketsPerUser);
  const decideJoin = async (claims: TokenClaims, conversation: ConversationName): Promise<AccessDecision> => {
    const decision = await access.decide(claims, conversation);
    if (!decision.allowed) metrics.joinsRefused.inc({ code: decision.code });
    return decision;
  };
  const admitSocket = (user: string, protocol: 'native' | 'socketio'): (() => void) | undefined => {
    const release = perUser.acquire(user);
    if (!release) {
      metrics.socketsRefused.inc({ protocol });
      log.warn('socket refused: user holds the maximum', { user, protocol, max: perUser.max });
    }
    return release;
  };

  let shuttingDown = false;
  // The app's server carries the HTTP routes; without one, the relay answers plain HTTP with 404.
  const server = deps.server ?? createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has(NATIVE_PROTOCOL) ? NATIVE_PROTOCOL : false),
  });
  const heartbeat = new Heartbeat(config.heartbeatMs);
  const attachments: RelayAttachment[] = [];
  const claimed: string[] = [];

  const authenticate = (token: string | undefined): TokenClaims => {
    return checkToken(deps.jwt, token);
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '/').split('?')[0];
    if (claimed.some((prefix) => path.startsWith(prefix))) return;
    if (path !== '/ws' && path !== '/') return refuse(socket, 404, 'no WebSocket endpoint here; use /ws');
    if (shuttingDown) return refuse(socket, 503, 'shutting down; connect again');
    let claims: TokenClaims;
    try {
      claims = authenticate(upgradeToken(req));
    } catch (error) {
      return refuse(socket, 401, error instanceof TokenError ? error.message : 'invalid token');
    }
    const release = admitSocket(claims.gcp_agent_assist_user, 'native');
    if (!release) return refuse(socket, 429, `at most ${config.maxSocketsPerUser} open sockets per user`);
    // The TCP socket closes however the WebSocket ends (or if the upgrade never completes).
    socket.once('close', release);
    wss.handleUpgrade(req, socket, head, (ws) => {
      heartbeat.add(ws);
      metrics.connections.inc({ protocol: 'native' });
      ws.on('close', () => metrics.connections.dec({ protocol: 'native' }));
      serveNativeConnection(ws, {
        hub,
        log: log.child({ protocol: 'native' }),
        claims,
        maxBufferedBytes: config.maxBufferedBytes,
        maxConversations: config.maxConversationsPerSocket,
        frameRate: config.clientFrameRate,
        access: (conversation) => decideJoin(claims, conversation),
        onSlowConsumer: () => metrics.slowConsumers.inc({ protocol: 'native' }),
        onJoin: () => metrics.joins.inc({ protocol: 'native' }),
        socket,
      });
    });
  });

  server.on('close', () => heartbeat.stop());

  let shutdownPromise: Promise<void> | undefined;
  const relay: Relay = {
    server,
    hub,
    metrics,
    config,
    authenticate,
    decideJoin,
    admitSocket,
    get shuttingDown() {
      return shuttingDown;
    },
    shutdown() {
      shutdownPromise ??= (async () => {
        shuttingDown = true;
        heartbeat.stop();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const sockets = [...wss.clients];
        const gone = Promise.all(
          sockets.map((ws) => new Promise<void>((resolve) => (ws.readyState === ws.CLOSED ? resolve() : ws.once('close', () => resolve())))),
        );
        for (const ws of sockets) ws.close(CLOSE.SERVICE_RESTART, 'service restart: reconnect');
        const extra = Promise.all(attachments.map((a) => a.shutdown?.()));
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, config.shutdownMs)));
        await Promise.race([Promise.all([gone, extra]), deadline]);
        clearTimeout(timer);
        for (const ws of wss.clients) ws.terminate();
        server.closeAllConnections();
        await closed;
        log.notice('relay stopped', { sockets: sockets.length });
      })();
      return shutdownPromise;
    },
  };
  for (const attach of deps.attachments ?? []) {
    const attachment = attach(relay);
    attachments.push(attachment);
    claimed.push(...(attachment.upgradePrefixes ?? []));
  }
  return relay;
}
