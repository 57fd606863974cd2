/**
 * The Redis implementation of `ResponseCache` (contract in ./cache): one string key per answer key (`answerKey`),
 * hashed so any id makes a short, safe key, expiring with the TTL. One key per command, so it works the
 * same on Redis Cluster.
 */
import { createHash } from 'node:crypto';
import type { RedisConnection } from '../redis/connection';
import type { ResponseCache } from './cache';

/** The key of a response id's answer. */
export function responseKey(key: string): string {
  return `aa:webhook:${createHash('sha256').update(key).digest('hex')}`;
}

export class RedisResponseCache implements ResponseCache {
  constructor(
    private readonly redis: RedisConnection,
    private readonly ttlSeconds: number,
  ) {}

  async get(key: string): Promise<string | undefined> {
    const value = await this.redis.run((r) => r.get(responseKey(key)));
    return typeof value === 'string' ? value : undefined;
  }

  async set(key: string, json: string): Promise<void> {
    await this.redis.run((r) => r.set(responseKey(key), json, { expiration: { type: 'EX', value: this.ttlSeconds } }));
  }
}
