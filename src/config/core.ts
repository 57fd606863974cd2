/**
 * Settings shared by every unit: the project, Redis and the event history.
 */
import type { BrokerLimits } from '../broker/broker';
import { SEVERITIES, type Severity } from '../log';
import type { RedisSettings } from '../redis/connection';
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

export interface BrokerConfig {
  /** Redis to use, or undefined for the embedded in-memory broker. */
  readonly redis?: RedisSettings;
  readonly limits: BrokerLimits;
}

/** Reads the broker's settings. Without any Redis setting the embedded broker is chosen. */
export function loadBrokerConfig(env: Env, local = false): Readonly<BrokerConfig> {
  const read = new SettingsReader(CORE_SETTINGS, env, local);
  const clusterNodes = read.list('REDIS_CLUSTER_NODES');
  for (const node of clusterNodes) {
    if (!/^[^\s:]+:\d{1,5}$/.test(node)) read.problem(`REDIS_CLUSTER_NODES entry "${node}" must be host:port`);
  }
  let url = read.str('REDIS_URL');
  const host = read.str('REDISHOST');
  if (url === undefined && host !== undefined) url = `redis://${host}:${read.int('REDISPORT', 1, 65535)}`;
  if (url !== undefined && !/^rediss?:\/\//.test(url)) read.problem('REDIS_URL must start with redis:// or rediss://');
  const limits: BrokerLimits = {
    historyMaxLength: read.int('HISTORY_MAX_LENGTH', 1, 100_000),
    historyTtlSeconds: read.int('HISTORY_TTL_SECONDS', 1, 30 * 86400),
    dedupeTtlSeconds: read.int('DEDUPE_TTL_SECONDS', 1, 30 * 86400),
  };
  const connectWaitMs = read.int('REDIS_CONNECT_WAIT_MS', 0, 60_000);
  const redis = url !== undefined || clusterNodes.length > 0 ? { url, clusterNodes, connectWaitMs } : undefined;
  return read.done({ redis, limits });
}

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
