/**
 * The contract of the webhook's response caches (src/webhook/cache.ts `ResponseCache`), run against every
 * implementation (test/response-cache.test.ts), as test/broker.contract.ts is for the broker.
 */
import assert from 'node:assert/strict';
import type { ResponseCache } from '../src/webhook/cache';

export interface ResponseCacheFactory {
  /** A cache with this TTL; caches made by one factory share one store (two instances of a function). */
  create(ttlSeconds: number): Promise<ResponseCache>;
}

let counter = 0;
const key = (name: string): string => `projects/p/agent/sessions/s-${process.pid}-${++counter}|${name}`;

export function responseCacheContract(name: string, factory: ResponseCacheFactory): void {
  describe(`response cache contract: ${name}`, () => {
    it('answers undefined for a key never set', async () => {
      const cache = await factory.create(60);
      assert.equal(await cache.get(key('missing')), undefined);
    });

    it('gives back exactly the JSON set, unicode and large bodies included', async () => {
      const cache = await factory.create(60);
      const json = JSON.stringify({ fulfillmentText: 'Grüße, 你好 ✓', payload: 'x'.repeat(60_000) });
      const k = key('round-trip');
      await cache.set(k, json);
      assert.equal(await cache.get(k), json);
    });

    it('keeps the newest answer of a key, and keys apart from each other', async () => {
      const cache = await factory.create(60);
      const [first, second] = [key('one'), key('two')];
      await cache.set(first, '{"n":1}');
      await cache.set(first, '{"n":2}');
      await cache.set(second, '{"n":3}');
      assert.equal(await cache.get(first), '{"n":2}');
      assert.equal(await cache.get(second), '{"n":3}');
    });

    it('keys of any characters and length are distinct', async () => {
      const cache = await factory.create(60);
      const long = key('a'.repeat(5000));
      const odd = key(' :{}\n*?');
      await cache.set(long, '"long"');
      await cache.set(odd, '"odd"');
      assert.equal(await cache.get(long), '"long"');
      assert.equal(await cache.get(odd), '"odd"');
      assert.equal(await cache.get(key('a'.repeat(4999))), undefined);
    });

    it('an answer set through one instance is read through another of the same store', async () => {
      const [a, b] = [await factory.create(60), await factory.create(60)];
      const k = key('shared');
      await a.set(k, '{"from":"a"}');
      assert.equal(await b.get(k), '{"from":"a"}');
    });
  });
}
