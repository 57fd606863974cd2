/**
 * Idempotency under Dialogflow's retries, over real HTTP: the same `responseId` gets the same answer and
 * the handler runs once, in memory (one instance) and in a real Redis (shared by instances); a Redis
 * outage costs deduplication, never the answer.
 */
import assert from 'node:assert/strict';
import { createLogger } from '../src/log';
import { RedisConnection } from '../src/redis/connection';
import { answerKey, MemoryResponseCache } from '../src/webhook/cache';
import { responseKey } from '../src/webhook/cache-redis';
import { defineIntentMap, type IntentMap } from '../src/webhook/intent-map';
import type { WebhookRequest } from '../src/webhook/types';
import { RedisServer } from './helpers/redis-server';
import { capturedLogs } from './setup';
import { post, serveWebhook, webhookRequest, type ServedWebhook } from './helpers/webhook';

/** An intent map counting its runs; each answer is unique, so a replay is recognisable. */
function countingMap(): { map: IntentMap; runs: () => number; release: () => void; started: Promise<void> } {
  let runs = 0;
  let release!: () => void;
  let started!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const startedPromise = new Promise<void>((resolve) => (started = resolve));
  const map = defineIntentMap({
    intents: {
      count: (agent) => {
        runs += 1;
        agent.text(`answer #${runs}`);
      },
      held: async (agent) => {
        runs += 1;
        started();
        await held;
        agent.text(`held answer #${runs}`);
      },
    },
    fallback: (agent) => void agent.text('fallback'),
  });
  return { map, runs: () => runs, release, started: startedPromise };
}

describe('webhook idempotency', () => {
  describe('in memory', () => {
    let served: ServedWebhook;
    const counting = countingMap();
    before(async () => {
      served = await serveWebhook(counting.map);
    });
    after(() => served.close());

    it('a retried responseId gets the same answer without running the handler again', async () => {
      const request = webhookRequest('count');
      const first = await post(served.url, request);
      const retry = await post(served.url, request);
      assert.equal(first.status, 200);
      assert.equal(retry.text, first.text);
      assert.equal(counting.runs(), 1);
      const other = await post(served.url, webhookRequest('count'));
      assert.notEqual(other.text, first.text);
      assert.equal(counting.runs(), 2);
    });

    it('a retry arriving while the first try still runs shares its answer', async () => {
      const before = counting.runs();
      const request = webhookRequest('held');
      const first = post(served.url, request);
      await counting.started;
      const retry = post(served.url, request);
      counting.release();
      const [a, b] = await Promise.all([first, retry]);
      assert.equal(a.status, 200);
      assert.equal(b.text, a.text);
      assert.equal(counting.runs(), before + 1);
    });

    it('the memory store expires answers after the TTL and keeps at most its bound', async () => {
      let now = 1_000;
      const cache = new MemoryResponseCache(10, 2, () => now);
      await cache.set('a', '{"a":1}');
      await cache.set('b', '{"b":1}');
      await cache.set('c', '{"c":1}');
      assert.equal(await cache.get('a'), undefined);
      assert.equal(await cache.get('b'), '{"b":1}');
      now += 10_000;
      assert.equal(await cache.get('c'), undefined);
      assert.equal(cache.size, 1);
    });
  });

  describe('in Redis', () => {
    let redisServer: RedisServer;
    let redis: RedisConnection;
    let instanceA: ServedWebhook;
    let instanceB: ServedWebhook;
    const a = countingMap();
    const b = countingMap();
    before(async () => {
      redisServer = await RedisServer.start();
      redis = new RedisConnection({ url: redisServer.url, clusterNodes: [], connectWaitMs: 2000 }, createLogger('redis-test'));
      const env = { WEBHOOK_IDEMPOTENCY_TTL_SECONDS: '120' };
      instanceA = await serveWebhook(a.map, env, { redis });
      instanceB = await serveWebhook(b.map, env, { redis });
    });
    after(async () => {
      await instanceA.close();
      await instanceB.close();
      await redis.close();
      await redisServer.destroy();
    });

    it('a retry reaching another instance gets the first answer; the handler ran once in all', async () => {
      const request = webhookRequest('count');
      const first = await post(instanceA.url, request);
      const retry = await post(instanceB.url, request);
      assert.equal(first.status, 200);
      assert.equal(retry.text, first.text);
      assert.equal(a.runs() + b.runs(), 1);
      const ttl = await redis.run((r) => r.ttl(responseKey(answerKey(request as unknown as WebhookRequest))));
      assert.ok(ttl > 0 && ttl <= 120, `ttl ${ttl}`);
    });

    it('answers while Redis is down (running the handler), logging that retries are not deduplicated', async () => {
      await redisServer.stop();
      const request = webhookRequest('count');
      const before = a.runs();
      const reply = await post(instanceA.url, request);
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.json?.fulfillmentText, `answer #${before + 1}`);
      const warnings = capturedLogs().filter((entry) => entry.responseId === request.responseId && entry.severity === 'WARNING');
      assert.ok(warnings.some((entry) => entry.message === 'idempotency store unavailable; answering without it'));
      assert.ok(warnings.some((entry) => entry.message === 'answer not stored for retries; idempotency store unavailable'));
    });
  });
});
