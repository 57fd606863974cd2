/**
 * Per-process shared clients for deployed functions: created on first use and reused across
 * invocations, never at import time. The relay and the local stack build their own and pass them in.
 * This is where a deployed function reads its environment (`process.env`, or what a test passes).
 */
import type { BrokerHandle } from '../broker/create';
import type { BrokerConfig } from '../broker/config';
import { loadCoreConfig } from '../config/core';
import { ConfigError, SettingsReader, type Env } from '../config/settings';
import type { Handler } from '../http/handler';
import { createCorsPolicy, withCors } from '../http/cors';
import { outsideRequestDomain } from '../http/edge';
import { createLogger, setLogLevel, type Logger } from '../log';
import type { RedisConnection } from '../redis/connection';
import { RELAY_SETTINGS } from '../relay/config';

/** The environment of a deployed function: the process's, unless a test passes its own. */
export const processEnv = (): Env => process.env;

let handle: Promise<BrokerHandle> | undefined;

/** The broker settings a deployed function needs: Redis is required. */
export function requireRedis(config: BrokerConfig): BrokerConfig {
  if (!config.redis) throw new ConfigError(['REDIS_URL, REDISHOST or REDIS_CLUSTER_NODES is required for a deployed function']);
  return config;
}

/** The process's broker (one per process, whichever function asks first); a deployed function requires Redis. */
export function sharedBroker(config: BrokerConfig): Promise<BrokerHandle> {
  handle ??= (async () => {
    const { createBroker } = await import('../broker/create');
    return createBroker(requireRedis(config), createLogger('broker'));
  })();
  handle.catch(() => (handle = undefined));
  return handle;
}

/** Closes the process's shared broker and Redis connection, if made (a deployed function never needs to; a test does). */
export async function closeSharedClients(): Promise<void> {
  const current = handle;
  handle = undefined;
  const built = await current?.catch(() => undefined);
  await built?.broker.close();
  await built?.redis?.close();
}

/** The process's Redis connection (the one the shared broker uses). */
export async function sharedRedis(config: BrokerConfig): Promise<RedisConnection> {
  const { redis } = await sharedBroker(config);
  if (!redis) throw new ConfigError(['REDIS_URL, REDISHOST or REDIS_CLUSTER_NODES is required for a deployed function']);
  return redis;
}

/** Reads the settings every function shares (project, LOG_LEVEL) and applies the log level. */
export function applyCoreConfig(env: Env): ReturnType<typeof loadCoreConfig> {
  const core = loadCoreConfig(env);
  setLogLevel(core.logLevel);
  return core;
}

/**
 * Memoizes an async factory; a failure is logged once per attempt and retried on the next call
 * (a function whose configuration is wrong answers 500 and says why in the log, every time). The factory
 * runs outside the functions-framework's request domain: what it builds (Redis clients, auth clients)
 * lives for the process and serves every request, so it must not stay bound to the first one's.
 */
export function lazy<T>(factory: () => Promise<T>, log: Logger): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    if (!value) {
      value = outsideRequestDomain(factory);
      value.catch((error: unknown) => {
        value = undefined;
        log.error('configuration failed', { error: error instanceof ConfigError ? error.message : error });
      });
    }
    return value;
  };
}

/**
 * Wraps a function deployed alone with the CORS policy the relay applies to its routes
 * (`CORS_ALLOWED_ORIGINS` of `env()`, read on the first request, not at import).
 */
export function withEnvCors(handler: Handler, env: () => Env): Handler {
  let wrapped: Handler | undefined;
  return (req, res) => {
    wrapped ??= withCors(handler, createCorsPolicy(new SettingsReader(RELAY_SETTINGS, env()).list('CORS_ALLOWED_ORIGINS')));
    return wrapped(req, res);
  };
}
