/**
 * The composition point for brokers: the embedded one when no Redis is configured, else Redis.
 */
import type { BrokerConfig } from './config';
import type { Logger } from '../log';
import { RedisConnection } from '../redis/connection';
import type { Broker } from './broker';
import { MemoryBroker } from './memory';
import { RedisBroker } from './redis';

export interface BrokerHandle {
  readonly broker: Broker;
  /** The Redis connection, shared with other Redis users of the process; undefined when embedded. */
  readonly redis?: RedisConnection;
}

export function createBroker(config: BrokerConfig, log: Logger): BrokerHandle {
  if (!config.redis) return { broker: new MemoryBroker(config.limits) };
  const redis = new RedisConnection(config.redis, log.child({ module: 'redis' }));
  return { broker: new RedisBroker(redis, config.limits, log.child({ module: 'broker' })), redis };
}
