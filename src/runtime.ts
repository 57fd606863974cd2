/**
 * Per-process shared clients for deployed functions: created on first use and reused across
 * invocations, never at import time. The relay and the local stack build their own and pass them in.
 */
import type { BrokerHandle } from './broker/create';
import { ConfigError } from './config/settings';
import { createLogger, type Logger } from './log';
import type { RedisConnection } from './redis/connection';

let handle: Promise<BrokerHandle> | undefined;

/** The process's broker, from `process.env`; a deployed function requires Redis. */
export function sharedBroker(): Promise<BrokerHandle> {
  handle ??= (async () => {
    const { loadBrokerConfig } = await import('./config/core');
    const { createBroker } = await import('./broker/create');
    const config = loadBrokerConfig(process.env);
    if (!config.redis) throw new ConfigError(['REDIS_URL, REDISHOST or REDIS_CLUSTER_NODES is required for a deployed function']);
    return createBroker(config, createLogger('broker'));
  })();
  handle.catch(() => (handle = undefined));
  return handle;
}

/**
 * Memoizes an async factory; a failure is logged once per attempt and retried on the next call
 * (a function whose configuration is wrong answers 500 and says why in the log, every time).
 */
export function lazy<T>(factory: () => Promise<T>, log: Logger): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    if (!value) {
      value = factory();
      value.catch((error: unknown) => {
        value = undefined;
        log.error('configuration failed', { error: error instanceof ConfigError ? error.message : error });
      });
    }
    return value;
  };
}

/** The process's Redis connection (the one the shared broker uses); a deployed function requires Redis. */
export async function sharedRedis(): Promise<RedisConnection> {
  const { redis } = await sharedBroker();
  if (!redis) throw new ConfigError(['REDIS_URL, REDISHOST or REDIS_CLUSTER_NODES is required for a deployed function']);
  return redis;
}
