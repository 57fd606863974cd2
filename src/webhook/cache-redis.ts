/**
 * The Redis implementation of `ResponseCache` (contract in ./cache): one string key per `responseId`,
 * hashed so any id makes a short, safe key, expiring with the TTL. One key per command, so it works the
 * same on Redis Cluster.
 */
import { createHash } from 'node:crypto';
import type { RedisConnection } from '../redis/connection';
import type { ResponseCache } from './cache';

/** The key of a response id's answer. */
export function responseKey(responseId: string): string {
  return `aa:webhook:${createHash('sha256').update(responseId).digest('hex')}`;
}

export class RedisResponseCache implements ResponseCache {
  constructor(
    private readonly redis: RedisConnection,
    private readonly ttlSeconds: number,
  ) {}

  async get(responseId: string): Promise<string | undefined> {
    const value = await this.redis.run((r) => r.get(responseKey(responseId)));
    return typeof value === 'string' ? value : undefined;
  }

  async set(responseId: string, json: string): Promise<void> {
    await this.redis.run((r) => r.set(responseKey(responseId), json, { expiration: { type: 'EX', value: this.ttlSeconds } }));
  }
}
