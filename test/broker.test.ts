/** Runs the broker contract against memory, a single Redis, and a 3-node Redis Cluster. */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { MemoryBroker } from '../src/broker/memory';
import { RedisBroker, historyKey } from '../src/broker/redis';
import { createLogger } from '../src/log';
import { RedisConnection } from '../src/redis/connection';
import { brokerContract } from './broker.contract';
import { record } from './helpers/events';
import { RedisServer, startCluster, type RedisCluster } from './helpers/redis-server';

const LIMITS = { historyMaxLength: 100, historyTtlSeconds: 3600, dedupeTtlSeconds: 3600 };
const log = createLogger('test');

const memoryShared = new MemoryBroker(LIMITS);
brokerContract('memory', {
  async create(limits) {
    if (!limits) return memoryShared;
    return new MemoryBroker({ ...LIMITS, ...limits });
  },
});

describe('redis-backed brokers', function () {
  this.timeout(60_000);
  let single: RedisServer;
  let cluster: RedisCluster;
  const connections: RedisConnection[] = [];
  before(async () => {
    [single, cluster] = await Promise.all([RedisServer.start(), startCluster(3)]);
  });
  after(async () => {
    await Promise.all(connections.map((c) => c.close()));
    await Promise.all([single?.destroy(), cluster?.destroy()]);
  });
  const factory = (settings: () => { url?: string; clusterNodes: string[] }) => ({
    async create(limits?: Partial<typeof LIMITS>) {
      const connection = new RedisConnection({ ...settings(), connectWaitMs: 3000 }, log);
      connections.push(connection);
      return new RedisBroker(connection, { ...LIMITS, ...limits }, log);
    },
  });
  brokerContract('redis', factory(() => ({ url: single.url, clusterNodes: [] })));
  brokerContract('redis cluster', factory(() => ({ clusterNodes: cluster.addresses })));

  it('expires a conversation history after its TTL', async () => {
    const connection = new RedisConnection({ url: single.url, clusterNodes: [], connectWaitMs: 3000 }, log);
    connections.push(connection);
    const broker = new RedisBroker(connection, { ...LIMITS, historyTtlSeconds: 7 }, log);
    const conversation = `projects/p/conversations/ttl-${Date.now()}`;
    await broker.publish(record(conversation));
    const ttl = await connection.run((redis) => redis.ttl(historyKey(conversation)));
    assert.ok(ttl > 0 && ttl <= 7, `ttl ${ttl}`);
  });
});

describe('memory broker expiry', () => {
  it('forgets history and message ids after their TTLs', async () => {
    const clock = sinon.useFakeTimers({ now: 1_000_000, toFake: ['Date'] });
    try {
      const broker = new MemoryBroker({ historyMaxLength: 10, historyTtlSeconds: 60, dedupeTtlSeconds: 30 });
      const conversation = 'projects/p/conversations/expiry';
      const sent = record(conversation);
      await broker.publish(sent);
      clock.tick(31_000);
      assert.equal((await broker.publish(sent)).duplicate, false);
      assert.equal((await broker.history(conversation)).length, 2);
      clock.tick(61_000);
      assert.deepEqual(await broker.history(conversation), []);
    } finally {
      clock.restore();
    }
  });
});
