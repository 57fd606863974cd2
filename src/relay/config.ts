/**
 * Settings of the relay container and the local stack.
 */
import { SettingsReader, type Env, type SettingsTable } from '../config/settings';
import type { FrameRate } from './frame-budget';
import type { MetricsAccess } from './metrics-access';

export const RELAY_SETTINGS = {
  PORT: { doc: 'Port the relay (and the local stack) listens on.', default: '8080' },
  HOST: { doc: 'Address to bind; 0.0.0.0 in production, 127.0.0.1 locally.', default: '0.0.0.0', localDefault: '127.0.0.1' },
  CORS_ALLOWED_ORIGINS: {
    doc: 'Comma list of browser origins allowed on desktop-facing routes and Socket.IO (`*` for any); none when unset.',
    localDefault: '*',
  },
  RELAY_HEARTBEAT_SECONDS: { doc: 'Interval of WebSocket pings; a socket that misses one is terminated.', default: '25' },
  RELAY_MAX_BUFFERED_BYTES: { doc: 'Send buffer a socket may hold before it is closed as a slow consumer (close code 4008).', default: '4194304' },
  RELAY_SHUTDOWN_SECONDS: { doc: 'On SIGTERM, how long sockets get to close before the process exits.', default: '8' },
  RELAY_MAX_CONVERSATIONS_PER_SOCKET: { doc: 'Conversations one socket may join at once.', default: '50' },
  RELAY_CLIENT_FRAMES_PER_SECOND: {
    doc: 'Frames (native) or packets (Socket.IO: every Engine.IO packet of the connection, whatever its namespace, heartbeat answers, upgrade probes and each binary attachment included) one connection may send per second on average; past it and its burst the socket is closed (4029 native).',
    default: '20',
  },
  RELAY_CLIENT_FRAME_BURST: { doc: 'Frames or packets one connection may send at once before the per-second rate applies.', default: '200' },
  RELAY_MAX_SOCKETS_PER_USER: {
    doc: 'Open sockets (both protocols) one `gcp_agent_assist_user` may hold on one relay instance; the next is refused (native: 429 before the upgrade; Socket.IO: `connect_error` "too many connections").',
    default: '20',
  },
  METRICS_TOKEN: {
    doc: 'Bearer token `/metrics` requires (`Authorization: Bearer <it>`). Unset: `/metrics` answers 404 in production and is open in local mode.',
    secret: true,
  },
  MAX_HTTP_BODY_BYTES: { doc: 'Largest HTTP body the relay and local stack parse.', default: '16777216' },
  DEMO_PAGE: {
    doc: 'Serve the demo agent desktop at `/` (assets under `/demo/`); its sample panel needs the event routes of the local stack.',
    default: 'false',
    localDefault: 'true',
  },
} as const satisfies SettingsTable;

export interface RelayConfig {
  readonly port: number;
  readonly host: string;
  readonly corsOrigins: readonly string[];
  readonly heartbeatMs: number;
  readonly maxBufferedBytes: number;
  readonly shutdownMs: number;
  readonly maxConversationsPerSocket: number;
  /** What one socket may send (frames per second and burst). */
  readonly clientFrameRate: FrameRate;
  readonly maxSocketsPerUser: number;
  /** What `/metrics` asks of a request (src/relay/metrics-access.ts). */
  readonly metrics: MetricsAccess;
  readonly bodyLimitBytes: number;
  /** Serve the demo agent desktop at `/` (src/relay/demo.ts). */
  readonly demoPage: boolean;
}

export function loadRelayConfig(env: Env, local = false): Readonly<RelayConfig> {
  const read = new SettingsReader(RELAY_SETTINGS, env, local);
  const metricsToken = read.str('METRICS_TOKEN');
  if (metricsToken !== undefined && metricsToken.length < 16) read.problem('METRICS_TOKEN must be at least 16 characters');
  return read.done({
    port: read.int('PORT', 0, 65535),
    host: read.str('HOST') ?? '0.0.0.0',
    corsOrigins: read.list('CORS_ALLOWED_ORIGINS'),
    heartbeatMs: read.int('RELAY_HEARTBEAT_SECONDS', 1, 3600) * 1000,
    maxBufferedBytes: read.int('RELAY_MAX_BUFFERED_BYTES', 1024, 1 << 30),
    shutdownMs: read.int('RELAY_SHUTDOWN_SECONDS', 0, 600) * 1000,
    maxConversationsPerSocket: read.int('RELAY_MAX_CONVERSATIONS_PER_SOCKET', 1, 10_000),
    clientFrameRate: {
      perSecond: read.int('RELAY_CLIENT_FRAMES_PER_SECOND', 1, 100_000),
      burst: read.int('RELAY_CLIENT_FRAME_BURST', 1, 1_000_000),
    },
    maxSocketsPerUser: read.int('RELAY_MAX_SOCKETS_PER_USER', 1, 100_000),
    metrics: { token: metricsToken, openWithoutToken: local },
    bodyLimitBytes: read.int('MAX_HTTP_BODY_BYTES', 1024, 64 * 1024 * 1024),
    demoPage: read.bool('DEMO_PAGE'),
  });
}
