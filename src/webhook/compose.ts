/**
 * The composition point of the webhook: from its configuration and what the process already has (a
 * broker, a Redis connection), the dependencies of its handler. Redis present → answers are kept in Redis
 * (shared by every instance); absent → in memory.
 */
import type { Broker } from '../broker/broker';
import type { Logger } from '../log';
import type { RedisConnection } from '../redis/connection';
import { createWebhookAuthenticator } from './auth';
import { MemoryResponseCache } from './cache';
import { RedisResponseCache } from './cache-redis';
import type { WebhookConfig } from './config';
import type { WebhookDeps } from './handler';
import type { IntentMap } from './intent-map';
import { createWebhookPublisher } from './publish';

export interface WebhookResources {
  readonly log: Logger;
  /** When given, handlers can publish events to desktops. */
  readonly broker?: Broker;
  /** When given, the idempotency store is Redis. */
  readonly redis?: RedisConnection;
  readonly projectId?: string;
}

export function createWebhookDeps(map: IntentMap, config: WebhookConfig, resources: WebhookResources): WebhookDeps {
  const { log, broker, redis, projectId } = resources;
  return {
    map,
    authenticate: createWebhookAuthenticator(config.auth),
    cache: redis
      ? new RedisResponseCache(redis, config.idempotencyTtlSeconds)
      : new MemoryResponseCache(config.idempotencyTtlSeconds, config.memoryCacheEntries),
    deadlineMs: config.deadlineMs,
    assistantDeadlineMs: config.assistantDeadlineMs,
    apiVersion: config.apiVersion,
    // One per composition, that is per process for a deployed function: one WARNING per helper.
    warned: new Set<string>(),
    log,
    publisher: broker ? createWebhookPublisher(broker, log) : undefined,
    basicRealm: config.auth.mode === 'basic' ? 'dialogflow-webhook' : undefined,
    projectId,
  };
}
