/** Runs the response-cache contract against memory and a real Redis, plus what each adds (expiry, bounds). */
import assert from 'node:assert/strict';
import { RedisConnection } from '../src/redis/connection';
import { createLogger } from '../src/log';
import { MemoryResponseCache, type ResponseCache } from '../src/webhook/cache';
import { RedisResponseCache, responseKey } from '../src/webhook/cache-redis';
import { RedisServer } from './helpers/redis-server';
import { responseCacheContract } from './response-cache.contract';

describe('webhook response caches', function () {
  this.timeout(30_000);
  let server: RedisServer;
  let redis: RedisConnection;
  before(async () => {
    server = await RedisServer.start();
    redis = new RedisConnection({ url: server.url, clusterNodes: [], connectWaitMs: 3000 }, createLogger('cache-test'));
  });
  after(async () => {
    await redis?.close();
    await server?.destroy();
  });

  // One memory store per factory, as one process holds one.
  let memory: ResponseCache | undefined;
  responseCacheContract('memory', { create: async (ttl) => (memory ??= new MemoryResponseCache(ttl, 1000)) });
  responseCacheContract('redis', { create: async (ttl) => new RedisResponseCache(redis, ttl) });

  it('redis: an answer expires with the TTL', async () => {
    await new RedisResponseCache(redis, 7).set('ttl-check', '{}');
    const ttl = await redis.run((r) => r.ttl(responseKey('ttl-check')));
    assert.ok(ttl > 0 && ttl <= 7, `ttl ${ttl}`);
  });
});
