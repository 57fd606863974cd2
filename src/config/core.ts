/**
 * Settings shared by every unit: the project, Redis and the event history (read by src/broker/config.ts),
 * logging.
 */
import { SEVERITIES, type Severity } from '../log';
import { SettingsReader, type Env, type SettingsTable } from './settings';

export const CORE_SETTINGS = {
  GCP_PROJECT_ID: { doc: 'Google Cloud project id; qualifies log traces and is the project JWTs are issued for.' },
  REDIS_URL: { doc: 'Redis URL (`redis://host:port`, `rediss://` for TLS); takes precedence over REDISHOST/REDISPORT.', secret: true },
  REDISHOST: { doc: 'Redis host (as in the Python backend); with REDISPORT, used when REDIS_URL is unset.' },
  REDISPORT: { doc: 'Redis port.', default: '6379' },
  REDIS_CLUSTER_NODES: { doc: 'Comma list of `host:port` Redis Cluster nodes; when set, the Cluster is used (sharded pub/sub).' },
  REDIS_CONNECT_WAIT_MS: { doc: 'How long a request waits for the first Redis connection before answering 503.', default: '3000' },
  HISTORY_MAX_LENGTH: { doc: 'Events kept per conversation for late joiners and reconnects.', default: '1000' },
  HISTORY_TTL_SECONDS: { doc: 'Seconds a conversation history lives after its last event.', default: '86400' },
  DEDUPE_TTL_SECONDS: { doc: 'Seconds a Pub/Sub message id is remembered, so a redelivery is published once.', default: '86400' },
  LOG_LEVEL: { doc: 'Lowest severity logged: DEBUG, INFO, NOTICE, WARNING, ERROR.', default: 'INFO' },
} as const satisfies SettingsTable;

/** The process's identity and logging: the project logs and tokens name, and the lowest severity logged. */
export interface CoreConfig {
  readonly projectId?: string;
  readonly logLevel: Severity;
}

/** Reads GCP_PROJECT_ID and LOG_LEVEL (`WARN` is taken for WARNING, as operators write it). */
export function loadCoreConfig(env: Env, local = false): Readonly<CoreConfig> {
  const read = new SettingsReader(CORE_SETTINGS, env, local);
  const raw = read.str('LOG_LEVEL');
  const logLevel = raw?.toUpperCase() === 'WARN' ? 'WARNING' : (read.oneOf('LOG_LEVEL', SEVERITIES) ?? 'INFO');
  return read.done({ projectId: read.str('GCP_PROJECT_ID'), logLevel });
}
