/**
 * The conversation-name API: the store contract against memory and a real Redis (expiry included), and
 * the HTTP routes as the deployed function serves them, on both stores, with Redis stopped too.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { http } from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import sinon from 'sinon';
import { loadConversationNameConfig } from '../src/conversation-name/config';
import { createConversationNameHandler, type ConversationNameDeps } from '../src/conversation-name/handler';
import { MemoryConversationNameStore } from '../src/conversation-name/memory';
import { conversationNameKey, RedisConversationNameStore } from '../src/conversation-name/redis';
import { hashIntegrationKey, type ConversationNameStore } from '../src/conversation-name/store';
import { ConfigError } from '../src/config/settings';
import { createLogger } from '../src/log';
import { RedisConnection } from '../src/redis/connection';
import { forgedTokens, JWT, listen, PROJECT, rawRequest, validToken } from './helpers/desktop-requests';
import { RedisServer } from './helpers/redis-server';
import { capturedLogs } from './setup';

const NAME = `projects/${PROJECT}/locations/global/conversations/c-1`;
const log = createLogger('conversation-name-test');
let unique = 0;
const key = (): string => `+1555000${++unique}-${Date.now()}`;

function storeContract(label: string, create: (ttlSeconds: number) => ConversationNameStore) {
  describe(`conversation-name store: ${label}`, () => {
    it('keeps, replaces and forgets a name', async () => {
      const store = create(60);
      const k = key();
      assert.equal(await store.get(k), undefined);
      await store.set(k, NAME);
      assert.equal(await store.get(k), NAME);
      await store.set(k, `${NAME}-2`);
      assert.equal(await store.get(k), `${NAME}-2`);
      assert.equal(await store.delete(k), true);
      assert.equal(await store.get(k), undefined);
      assert.equal(await store.delete(k), false);
    });

    it('keeps keys apart', async () => {
      const store = create(60);
      const [a, b] = [key(), key()];
      await store.set(a, NAME);
      assert.equal(await store.get(b), undefined);
    });
  });
}

storeContract('memory', (ttl) => new MemoryConversationNameStore(ttl));

describe('conversation-name memory store expiry', () => {
  it('forgets a name after its TTL', async () => {
    let now = 1_000_000;
    const store = new MemoryConversationNameStore(10, () => now);
    await store.set('k', NAME);
    now += 9_999;
    assert.equal(await store.get('k'), NAME);
    now += 1;
    assert.equal(await store.get('k'), undefined);
    assert.equal(await store.delete('k'), false);
  });

  it('sweeps expired entries nobody reads, once per thousand writes', async () => {
    let now = 1_000_000;
    const store = new MemoryConversationNameStore(10, () => now);
    for (let i = 1; i <= 999; i++) await store.set(`k${i}`, NAME);
    now += 10_000;
    assert.equal(store.size, 999);
    await store.set('last', NAME); // the 1000th write sweeps before it inserts
    assert.equal(store.size, 1);
  });
});

describe('conversation-name settings', () => {
  it('defaults the TTL to a day and refuses nonsense', () => {
    assert.equal(loadConversationNameConfig({}).ttlSeconds, 86400);
    assert.equal(loadConversationNameConfig({ CONVERSATION_NAME_TTL_SECONDS: '30' }).ttlSeconds, 30);
    assert.throws(() => loadConversationNameConfig({ CONVERSATION_NAME_TTL_SECONDS: '0' }), ConfigError);
  });
});

describe('conversation-name on redis', function () {
  this.timeout(30_000);
  let redis: RedisServer;
  let connection: RedisConnection;
  before(async () => {
    redis = await RedisServer.start();
    connection = new RedisConnection({ url: redis.url, clusterNodes: [], connectWaitMs: 500 }, log);
  });
  after(async () => {
    await connection?.close();
    await redis?.destroy();
  });

  storeContract('redis', (ttl) => new RedisConversationNameStore(connection, ttl));

  it('stores under the sha256 of the key, never the key itself, with the TTL set', async () => {
    const store = new RedisConversationNameStore(connection, 120);
    const k = key();
    await store.set(k, NAME);
    assert.equal(conversationNameKey(k), `aa:cn:${hashIntegrationKey(k)}`);
    assert.match(hashIntegrationKey(k), /^[0-9a-f]{64}$/);
    const ttl = await connection.run((r) => r.ttl(conversationNameKey(k)));
    assert.ok(ttl > 110 && ttl <= 120, `ttl ${ttl}`);
    const keys = await connection.run((r) => (r as unknown as { keys(pattern: string): Promise<string[]> }).keys('*'));
    assert.ok(!keys.some((name) => name.includes(k)), 'the integration key is not stored in the clear');
  });

  it('lets Redis expire a name after its TTL', async () => {
    const store = new RedisConversationNameStore(connection, 1);
    const k = key();
    await store.set(k, NAME);
    assert.equal(await store.get(k), NAME);
    // Redis' own expiry has no event to await: poll it, bounded.
    const deadline = Date.now() + 5_000;
    while ((await store.get(k)) !== undefined) {
      assert.ok(Date.now() < deadline, 'the name did not expire');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  describe('HTTP routes (deployed function)', () => {
    routeSuite('redis', () => new RedisConversationNameStore(connection, 60));

    it('answers 503 while Redis is down, and serves again once it is back', async () => {
      const deps: ConversationNameDeps = { jwt: JWT, log, store: new RedisConversationNameStore(connection, 60) };
      http('conversationNameOutage', createConversationNameHandler(async () => deps));
      const server = getTestServer('conversationNameOutage');
      const base = await listen(server);
      const auth = { authorization: `Bearer ${validToken()}` };
      try {
        await redis.stop();
        const get = await rawRequest(base, 'GET', '/conversation-name?conversationIntegrationKey=k', { headers: auth });
        assert.equal(get.status, 503);
        const post = await rawRequest(base, 'POST', '/conversation-name', { headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ conversationIntegrationKey: 'k', conversationName: NAME }) });
        assert.equal(post.status, 503);
        await redis.start();
        const deadline = Date.now() + 10_000;
        let status = 0;
        while (status !== 200) {
          assert.ok(Date.now() < deadline, 'did not recover');
          status = (await rawRequest(base, 'GET', '/conversation-name?conversationIntegrationKey=k', { headers: auth })).status;
        }
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });
});

describe('conversation-name HTTP routes on memory', () => {
  routeSuite('memory', () => new MemoryConversationNameStore(60));
});

let suites = 0;

/** The routes' contract, as the functions-framework serves the handler, on a given store. */
function routeSuite(label: string, createStore: () => ConversationNameStore) {
  describe(`routes (${label})`, () => {
    let server: Server;
    let base: string;
    let store: ConversationNameStore;
    const auth = (): Record<string, string> => ({ authorization: `Bearer ${validToken()}` });
    const json = (): Record<string, string> => ({ ...auth(), 'content-type': 'application/json' });

    before(async () => {
      store = createStore();
      const name = `conversationNameTest${++suites}`;
      http(name, createConversationNameHandler(async () => ({ jwt: JWT, log, store })));
      server = getTestServer(name);
      base = await listen(server);
    });
    after(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it('sets, gets and deletes a name as the Python original answered', async () => {
      const k = key();
      const set = await rawRequest(base, 'POST', '/conversation-name', { headers: json(), body: JSON.stringify({ conversationIntegrationKey: k, conversationName: NAME }) });
      assert.equal(set.status, 200);
      assert.deepEqual(JSON.parse(set.body), { [k]: NAME });
      const query = `/conversation-name?conversationIntegrationKey=${encodeURIComponent(k)}`;
      const got = await rawRequest(base, 'GET', query, { headers: auth() });
      assert.equal(got.status, 200);
      assert.deepEqual(JSON.parse(got.body), { conversationName: NAME });
      const deleted = await rawRequest(base, 'DELETE', query, { headers: auth() });
      assert.deepEqual([deleted.status, deleted.body], [200, 'Success']);
      const again = await rawRequest(base, 'DELETE', query, { headers: auth() });
      assert.deepEqual([again.status, again.body], [404, 'Not found']);
      const gone = await rawRequest(base, 'GET', query, { headers: auth() });
      assert.deepEqual(JSON.parse(gone.body), { conversationName: '' });
      assert.ok(!JSON.stringify(capturedLogs()).includes(k), 'the integration key is never logged');
    });

    it('accepts a name without a location', async () => {
      const k = key();
      const name = `projects/${PROJECT}/conversations/c-2`;
      const set = await rawRequest(base, 'POST', '/conversation-name', { headers: json(), body: JSON.stringify({ conversationIntegrationKey: k, conversationName: name }) });
      assert.equal(set.status, 200);
      assert.equal(await store.get(k), name);
    });

    it('answers 400 Bad request for a missing key or a malformed name', async () => {
      const bodies = [{ conversationName: NAME }, { conversationIntegrationKey: '', conversationName: NAME }, { conversationIntegrationKey: 'k' }, { conversationIntegrationKey: 'k', conversationName: 'conversations/c-1' }, { conversationIntegrationKey: 'k', conversationName: 42 }, { conversationIntegrationKey: 7, conversationName: NAME }];
      for (const body of bodies) {
        const res = await rawRequest(base, 'POST', '/conversation-name', { headers: json(), body: JSON.stringify(body) });
        assert.deepEqual([res.status, res.body], [400, 'Bad request'], JSON.stringify(body));
      }
      for (const method of ['GET', 'DELETE']) {
        for (const path of ['/conversation-name', '/conversation-name?conversationIntegrationKey=', '/conversation-name?other=1']) {
          const res = await rawRequest(base, method, path, { headers: auth() });
          assert.deepEqual([res.status, res.body], [400, 'Bad request'], `${method} ${path}`);
        }
      }
    });

    it('refuses to store a name of another project (403), and stores nothing', async () => {
      const k = key();
      const other = 'projects/victim-project/locations/global/conversations/c-1';
      const res = await rawRequest(base, 'POST', '/conversation-name', { headers: json(), body: JSON.stringify({ conversationIntegrationKey: k, conversationName: other }) });
      assert.equal(res.status, 403);
      assert.deepEqual(JSON.parse(res.body), { error: 'project not allowed for this token' });
      assert.equal(await store.get(k), undefined);
      const warning = capturedLogs().filter((line) => line.message === 'conversation name of another project refused').at(-1);
      assert.deepEqual([warning?.severity, warning?.tokenProject, warning?.conversationProject], ['WARNING', PROJECT, 'victim-project']);
    });

    it('refuses to return or delete a stored name of another project (403)', async () => {
      const k = key();
      const other = 'projects/victim-project/conversations/c-7';
      await store.set(k, other); // stored by another project's token, or before this check existed
      const query = `/conversation-name?conversationIntegrationKey=${encodeURIComponent(k)}`;
      const got = await rawRequest(base, 'GET', query, { headers: auth() });
      assert.equal(got.status, 403);
      assert.ok(!got.body.includes('victim-project'));
      const deleted = await rawRequest(base, 'DELETE', query, { headers: auth() });
      assert.equal(deleted.status, 403);
      assert.equal(await store.get(k), other);
    });

    it('answers 405 for other methods', async () => {
      const res = await rawRequest(base, 'PUT', '/conversation-name', { headers: json(), body: '{}' });
      assert.equal(res.status, 405);
      assert.equal(res.headers.allow, 'GET, POST, DELETE');
    });

    it('refuses a missing or forged token with 401 and touches nothing', async () => {
      const k = key();
      await store.set(k, NAME);
      const query = `/conversation-name?conversationIntegrationKey=${encodeURIComponent(k)}`;
      assert.equal((await rawRequest(base, 'GET', query)).status, 401);
      for (const forged of forgedTokens()) {
        const get = await rawRequest(base, 'GET', query, { headers: { authorization: forged.token } });
        assert.equal(get.status, 401, forged.name);
        assert.ok(!get.body.includes(NAME));
        const del = await rawRequest(base, 'DELETE', query, { headers: { authorization: `Bearer ${forged.token}` } });
        assert.equal(del.status, 401, forged.name);
      }
      assert.equal(await store.get(k), NAME);
    });

    it('reads the store once per GET', async () => {
      const spy = sinon.spy(store, 'get');
      try {
        await rawRequest(base, 'GET', `/conversation-name?conversationIntegrationKey=${key()}`, { headers: auth() });
        assert.equal(spy.callCount, 1);
      } finally {
        spy.restore();
      }
    });
  });
}
