/**
 * The broker's settings (Redis, the event history), read from the core settings table: which broker a
 * process gets, and its limits.
 */
import { CORE_SETTINGS } from '../config/core';
import { SettingsReader, type Env } from '../config/settings';
import type { RedisSettings } from '../redis/connection';
import type { BrokerLimits } from './broker';

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
