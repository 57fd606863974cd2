/**
 * The conversation-name store on Redis: one string key per integration key, with Redis' own expiry.
 * Each operation is one round trip (SET with EX, GET, DEL). A single key per entry needs no hash tag
 * to work on Redis Cluster.
 */
import type { RedisConnection } from '../redis/connection';
import { hashIntegrationKey, type ConversationNameStore } from './store';

/** The Redis key of an integration key (prefixed, so it cannot collide with the broker's keys). */
export function conversationNameKey(key: string): string {
  return `aa:cn:${hashIntegrationKey(key)}`;
}

export class RedisConversationNameStore implements ConversationNameStore {
  constructor(
    private readonly redis: RedisConnection,
    private readonly ttlSeconds: number,
  ) {}

  async set(key: string, name: string): Promise<void> {
    await this.redis.run((r) => r.set(conversationNameKey(key), name, { expiration: { type: 'EX', value: this.ttlSeconds } }));
  }

  async get(key: string): Promise<string | undefined> {
    const value = await this.redis.run((r) => r.get(conversationNameKey(key)));
    return value ?? undefined;
  }

  async delete(key: string): Promise<boolean> {
    return (await this.redis.run((r) => r.del(conversationNameKey(key)))) > 0;
  }
}
