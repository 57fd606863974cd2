/**
 * The four event functions as the functions-framework serves them (the deployed entry points in
 * functions/), against a real Redis: every delivery form, deduplication, every kind of bad input, and
 * Redis loss answered with 503 so that Pub/Sub retries.
 */
import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import type { Server } from 'node:http';
import { http } from '@google-cloud/functions-framework';
import sinon from 'sinon';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { eventFunction } from '../src/app/functions/events';
import { closeSharedClients, lazy } from '../src/app/runtime';
import { createClient } from '@redis/client';
import type { IdTokenVerifier } from '../src/auth/google-id-token';
import type { Broker } from '../src/broker/broker';
import { historyKey } from '../src/broker/redis';
import { createEventHandler, type HttpHandler } from '../src/events/handler';
import { createLogger, type Logger } from '../src/log';
import { counterValue } from '../src/metrics/counters';
import { capturedLogs } from './setup';
import { nextMessageId, notification, pushEnvelope } from './helpers/events';
import { RedisServer } from './helpers/redis-server';
import { serveFunction, type ServedWebhook } from './helpers/webhook';

const ENTRY_POINTS = {
  humanAgentAssistantEvent: 'human-agent-assistant-event',
  newMessageEvent: 'new-message-event',
  conversationLifecycleEvent: 'conversation-lifecycle-event',
  newRecognitionResultNotificationEvent: 'new-recognition-result-notification-event',
} as const;

describe('event functions (functions-framework, real Redis)', function () {
  this.timeout(30_000);
  let redis: RedisServer;
  const servers: Server[] = [];
  const urls: Record<string, string> = {};
  let reader: ReturnType<typeof createClient>;

  before(async () => {
    redis = await RedisServer.start();
    // The entry points' own wiring, handed an environment object (functions/*.ts pass the process's).
    const env = { REDIS_URL: redis.url, MAX_EVENT_BODY_BYTES: String(256 * 1024), REDIS_CONNECT_WAIT_MS: '500' };
    for (const [name, type] of Object.entries(ENTRY_POINTS)) http(name, eventFunction(type, () => env));
    for (const name of Object.keys(ENTRY_POINTS)) {
      const server = getTestServer(name);
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const address = server.address();
      urls[name] = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
      servers.push(server);
    }
    reader = createClient({ url: redis.url, socket: { reconnectStrategy: 100 } });
    reader.on('error', () => undefined); // the outage test stops Redis under it
    await reader.connect();
  });
  after(async () => {
    await reader?.close();
    await closeSharedClients();
    for (const server of servers) server.close();
    await redis?.destroy();
  });

  let n = 0;
  const conversation = (): string => `projects/test-project/locations/global/conversations/fn-${Date.now()}-${n++}`;
  const keyOf = (name: string): string => name.replace(/\/locations\/[^/]+/, '');
  const history = async (name: string) => reader.xRange(historyKey(keyOf(name)), '-', '+');

  const post = async (url: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) => {
    const response = await fetch(url, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: response.status, text: await response.text() };
  };

  for (const [entryPoint, type] of Object.entries(ENTRY_POINTS)) {
    it(`${entryPoint} publishes a push delivery to the conversation's history`, async () => {
      const name = conversation();
      const data = notification(type, name);
      const attributes: Record<string, string> =
        type === 'new-recognition-result-notification-event' ? { participant_role: 'END_USER', message_id: 'rec-1' } : {};
      const messageId = nextMessageId();
      const { status } = await post(urls[entryPoint], pushEnvelope(data, { messageId, attributes }));
      assert.equal(status, 204);
      const entries = await history(name);
      assert.equal(entries.length, 1);
      const stored = JSON.parse(String(entries[0].message.e));
      assert.equal(stored.type, type);
      assert.equal(stored.conversation, keyOf(name));
      assert.equal(stored.messageId, messageId);
      assert.deepEqual(JSON.parse(stored.data), data);
      assert.deepEqual(stored.attributes, attributes);
      assert.equal(stored.publishTime, '2026-11-21T10:00:00.000Z');
    });
  }

  it('accepts snake_case push fields, binary CloudEvents and structured CloudEvents', async () => {
    const name = conversation();
    const data = notification('new-message-event', name);
    assert.equal((await post(urls.newMessageEvent, pushEnvelope(data, { snake: true }))).status, 204);

    const envelope = pushEnvelope(data) as { message: Record<string, unknown> };
    delete envelope.message.messageId;
    delete envelope.message.publishTime;
    const binary = await post(urls.newMessageEvent, envelope, {
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-type': 'google.cloud.pubsub.topic.v1.messagePublished',
      'ce-source': '//pubsub.googleapis.com/projects/test-project/topics/aa-new-message',
      'ce-id': nextMessageId(),
      'ce-time': '2026-11-21T10:00:01.000Z',
    });
    assert.equal(binary.status, 204);

    const structured = await post(
      urls.newMessageEvent,
      {
        specversion: '1.0',
        type: 'google.cloud.pubsub.topic.v1.messagePublished',
        source: '//pubsub.googleapis.com/projects/test-project/topics/aa-new-message',
        id: nextMessageId(),
        time: '2026-11-21T10:00:02.000Z',
        datacontenttype: 'application/json',
        data: pushEnvelope(data),
      },
      { 'content-type': 'application/cloudevents+json' },
    );
    assert.equal(structured.status, 204);
    const entries = await history(name);
    assert.equal(entries.length, 3);
    assert.equal(JSON.parse(String(entries[1].message.e)).publishTime, '2026-11-21T10:00:01.000Z');
  });

  it('publishes a message delivered three times once', async () => {
    const name = conversation();
    const envelope = pushEnvelope(notification('new-message-event', name));
    for (let i = 0; i < 3; i++) assert.equal((await post(urls.newMessageEvent, envelope)).status, 204);
    assert.equal((await history(name)).length, 1);
  });

  describe('bad input', () => {
    const good = (): Record<string, unknown> => pushEnvelope(notification('new-message-event', conversation()));
    const b64 = (text: string): string => Buffer.from(text).toString('base64');
    const cases: Array<{ name: string; body: unknown; headers?: Record<string, string>; status: number; reason?: string }> = [
      { name: 'not JSON', body: 'this is not json', status: 400 },
      { name: 'JSON but no message', body: { subscription: 's' }, status: 400 },
      { name: 'JSON array', body: [1, 2], status: 400 },
      { name: 'message without id', body: { message: { data: b64('{}') } }, status: 400 },
      { name: 'data not a string', body: { message: { messageId: '1', data: 5 } }, status: 400 },
      { name: 'wrong content type', body: JSON.stringify(good()), headers: { 'content-type': 'text/plain' }, status: 400 },
      { name: 'CloudEvent of another type', body: { specversion: '1.0', type: 'google.cloud.storage.object.v1.finalized', data: {} }, headers: { 'content-type': 'application/cloudevents+json' }, status: 400 },
      { name: 'huge body', body: { message: { messageId: '1', data: 'A'.repeat(300 * 1024) } }, status: 413 },
      { name: 'bad base64', body: { message: { messageId: nextMessageId(), data: '%%%not-base64%%%' } }, status: 204, reason: 'bad-base64' },
      { name: 'data not JSON', body: { message: { messageId: nextMessageId(), data: b64('hello there') } }, status: 204, reason: 'data-not-json' },
      { name: 'no conversation', body: { message: { messageId: nextMessageId(), data: b64('{"type":"NEW_MESSAGE"}') } }, status: 204, reason: 'no-conversation' },
      { name: 'malformed conversation', body: { message: { messageId: nextMessageId(), data: b64('{"conversation":"projects/../x"}') } }, status: 204, reason: 'no-conversation' },
      { name: 'no data', body: { message: { messageId: nextMessageId() } }, status: 204, reason: 'no-data' },
    ];
    for (const testCase of cases) {
      it(`${testCase.name} → ${testCase.status}${testCase.reason ? ` (${testCase.reason})` : ''}`, async () => {
        const before = testCase.reason ? counterValue('events_undeliverable_total', { type: 'new-message-event', reason: testCase.reason }) : 0;
        const { status } = await post(urls.newMessageEvent, testCase.body, testCase.headers);
        assert.equal(status, testCase.status);
        if (testCase.reason) {
          assert.equal(counterValue('events_undeliverable_total', { type: 'new-message-event', reason: testCase.reason }), before + 1);
          const logged = capturedLogs().filter((e) => e.message === 'undeliverable notification acknowledged' && e.reason === testCase.reason);
          assert.ok(logged.length > 0 && logged.every((e) => e.severity === 'ERROR'));
        }
      });
    }

    it('answers a method other than POST with 405', async () => {
      const response = await fetch(urls.newMessageEvent, { method: 'GET' });
      assert.equal(response.status, 405);
    });

    it('keeps serving good deliveries after all of the above', async () => {
      const name = conversation();
      assert.equal((await post(urls.newMessageEvent, pushEnvelope(notification('new-message-event', name)))).status, 204);
      assert.equal((await history(name)).length, 1);
    });

    it('never logs the notification text', () => {
      const text = JSON.stringify(capturedLogs());
      assert.ok(!text.includes('I would like a refund'));
    });
  });

  it('answers 503 while Redis is down, and publishes the retried delivery once Redis is back', async () => {
    const name = conversation();
    const envelope = pushEnvelope(notification('new-message-event', name));
    await redis.stop();
    try {
      assert.equal((await post(urls.newMessageEvent, envelope)).status, 503);
      assert.equal((await post(urls.newMessageEvent, envelope)).status, 503);
    } finally {
      await redis.start();
    }
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 204; attempt++) {
      status = (await post(urls.newMessageEvent, envelope)).status;
      if (status !== 204) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(status, 204);
    for (let attempt = 0; attempt < 50 && !reader.isReady; attempt++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal((await history(name)).length, 1);
  });
});

describe('event handler with a broker that throws instead of rejecting (functions-framework)', () => {
  it('answers 500 with its JSON error, logs it and counts it, as for a rejected publish', async () => {
    const broker = {
      publish(): never {
        throw new TypeError('broker fault');
      },
    } as unknown as Broker;
    const handler = createEventHandler('new-message-event', async () => ({ broker, log: createLogger('throwing-broker-test'), maxBodyBytes: 64 * 1024 }));
    const served = await serveFunction(handler);
    const labels = { type: 'new-message-event', reason: 'error' };
    const before = counterValue('events_failed_total', labels);
    try {
      const response = await fetch(served.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(pushEnvelope(notification('new-message-event', 'projects/p/conversations/throwing'))),
      });
      assert.equal(response.status, 500);
      assert.deepEqual(await response.json(), { error: 'internal error' });
      assert.equal(counterValue('events_failed_total', labels), before + 1);
      assert.ok(capturedLogs().some((entry) => entry.message === 'event not published; pub/sub will retry'));
    } finally {
      await served.close();
    }
  });
});

describe('event handler and the functions-framework request domain', () => {
  /** node:domain leaves `null` or `undefined` when no domain is active. */
  const noDomain = (value: unknown): boolean => value === null || value === undefined;
  const current = (): unknown => (process as { domain?: unknown }).domain;
  const post = (url: string, conversation: string): Promise<Response> =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(pushEnvelope(notification('new-message-event', conversation))),
    });

  /** Serves `handler`, keeping what each call returned and every unhandled rejection meanwhile. */
  async function serveWatched(handler: HttpHandler): Promise<{ served: ServedWebhook; returned: unknown[]; rejections: unknown[]; stop: () => Promise<void> }> {
    const returned: unknown[] = [];
    const served = await serveFunction((req, res) => {
      const answer = handler(req, res);
      returned.push(answer);
      return answer;
    });
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown): void => void rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    const stop = async (): Promise<void> => {
      process.off('unhandledRejection', onRejection);
      await served.close();
    };
    return { served, returned, rejections, stop };
  }

  it('publishes outside the request domain, answers 204, and leaves the framework its domain as it was', async () => {
    // The framework runs each request in a node:domain; promises bound to one pay for it (bench).
    const seen: { domainAtPublish?: unknown } = {};
    const broker = {
      publish() {
        seen.domainAtPublish = current();
        return new Promise((resolve) => setTimeout(() => resolve({ id: '1-0', duplicate: false }), 5));
      },
    } as unknown as Broker;
    const handler = createEventHandler('new-message-event', async () => ({ broker, log: createLogger('domain-test'), maxBodyBytes: 64 * 1024 }));
    const domains: { before?: unknown; after?: unknown } = {};
    const served = await serveFunction((req, res) => {
      domains.before = current();
      const answer = handler(req, res);
      domains.after = current();
      return answer;
    });
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        // The first request resolves the dependencies; the second takes the ready path.
        const response = await post(served.url, 'projects/p/conversations/domain');
        assert.equal(response.status, 204);
        assert.ok(noDomain(seen.domainAtPublish), 'publish ran with no domain active');
        assert.ok(domains.before, 'the framework runs the function in a domain');
        assert.equal(domains.after, domains.before, 'the same domain is active again when the handler returns');
      }
    } finally {
      await served.close();
    }
  });

  it('a synchronous fault inside the handler still gets the framework’s crash response, and the next request is served', async () => {
    let faulty = true;
    const broker = { publish: async () => ({ id: '1-0', duplicate: false }) } as unknown as Broker;
    const now = (): Date => {
      if (faulty) throw new Error('clock fault');
      return new Date();
    };
    const handler = createEventHandler('new-message-event', async () => ({ broker, log: createLogger('domain-crash-test'), maxBodyBytes: 64 * 1024, now }));
    const served = await serveFunction(handler);
    // The framework prints the crash's stack to the console; it is expected here.
    const consoleError = sinon.stub(console, 'error');
    try {
      // The first request resolves the dependencies (the fault is then a rejection); the second throws
      // synchronously on the ready path, inside outsideRequestDomain.
      for (let attempt = 0; attempt < 2; attempt++) {
        const response = await post(served.url, 'projects/p/conversations/crash');
        assert.equal(response.status, 500);
        assert.equal(response.headers.get('x-google-status'), 'crash');
      }
      assert.ok(consoleError.args.some(([logged]) => String(logged).includes('clock fault')));
      faulty = false;
      assert.equal((await post(served.url, 'projects/p/conversations/crash')).status, 204);
    } finally {
      consoleError.restore();
      await served.close();
    }
  });

  it('once ready it returns no promise, and a fault while answering still gets a 500 and a log line, and the next request is served', async () => {
    // The framework makes one more promise to catch a returned one (bench): the ready path answers
    // every outcome itself instead, so a fault there must not become an unhandled rejection.
    let faulty = true;
    const broker = {
      publish: async () => ({
        id: '1-0',
        get duplicate(): boolean {
          if (faulty) throw new Error('answer fault');
          return false;
        },
      }),
    } as unknown as Broker;
    const handler = createEventHandler('new-message-event', async () => ({ broker, log: createLogger('answer-fault-test'), maxBodyBytes: 64 * 1024 }));
    const { served, returned, rejections, stop } = await serveWatched(handler);
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        const response = await post(served.url, 'projects/p/conversations/answer-fault');
        assert.equal(response.status, 500);
        assert.deepEqual(await response.json(), { error: 'internal error' });
      }
      assert.ok(capturedLogs().some((entry) => entry.message === 'fault while answering a delivery; pub/sub will retry'));
      faulty = false;
      assert.equal((await post(served.url, 'projects/p/conversations/answer-fault')).status, 204);
      // The first request resolved the dependencies (a promise); the ready path returned nothing.
      assert.ok(returned[0] instanceof Promise);
      assert.deepEqual(returned.slice(1), [undefined, undefined]);
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(rejections, []);
    } finally {
      await stop();
    }
  });

  it('with push authentication too it returns no promise once ready, and a verifier or a log sink that fails unexpectedly still gets a 500', async () => {
    let verifier: 'ok' | 'fault' = 'ok';
    let sinkDown = false;
    const pushAuth = {
      verify: async (): Promise<void> => {
        if (verifier === 'fault') throw new TypeError('verifier fault');
      },
    } as unknown as IdTokenVerifier;
    const broker = { publish: async () => ({ id: '1-0', duplicate: false }) } as unknown as Broker;
    const log = createLogger('push-fault-test');
    const child = log.child.bind(log);
    sinon.stub(log, 'child').callsFake((fields) => {
      const real = child(fields);
      return Object.assign(Object.create(real) as Logger, {
        error: (message: string, extra?: Record<string, unknown>) => {
          if (sinkDown) throw new Error('log sink down');
          real.error(message, extra);
        },
      });
    });
    const handler = createEventHandler('new-message-event', async () => ({ broker, pushAuth, log, maxBodyBytes: 64 * 1024 }));
    const { served, returned, rejections, stop } = await serveWatched(handler);
    try {
      assert.equal((await post(served.url, 'projects/p/conversations/push-fault')).status, 204);
      verifier = 'fault';
      const faulted = await post(served.url, 'projects/p/conversations/push-fault');
      assert.equal(faulted.status, 500);
      assert.deepEqual(await faulted.json(), { error: 'internal error' });
      assert.ok(capturedLogs().some((entry) => entry.message === 'fault while answering a delivery; pub/sub will retry' && JSON.stringify(entry).includes('verifier fault')));
      sinkDown = true;
      const unlogged = await post(served.url, 'projects/p/conversations/push-fault');
      assert.equal(unlogged.status, 500, 'the answer does not depend on the log line');
      verifier = 'ok';
      sinkDown = false;
      assert.equal((await post(served.url, 'projects/p/conversations/push-fault')).status, 204);
      assert.ok(returned[0] instanceof Promise, 'the first request resolves the dependencies');
      assert.deepEqual(returned.slice(1), [undefined, undefined, undefined]);
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(rejections, []);
    } finally {
      await stop();
    }
  });

  it('what a function builds on its first request (lazy) is not bound to that request’s domain', async () => {
    let built: EventEmitter | undefined;
    const deps = lazy(async () => {
      built = new EventEmitter();
      return built;
    }, createLogger('lazy-domain-test'));
    const served = await serveFunction(async (_req, res) => {
      await deps();
      res.status(204).end();
    });
    try {
      assert.equal((await post(served.url, 'projects/p/conversations/lazy')).status, 204);
      assert.ok(built);
      // node:domain binds an emitter made while a domain is active to it (emitter.domain).
      assert.ok(noDomain((built as EventEmitter & { domain?: unknown }).domain), 'the emitter is bound to no domain');
    } finally {
      await served.close();
    }
  });
});
