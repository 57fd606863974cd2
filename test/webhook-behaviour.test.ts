/**
 * The webhook's behaviour over real HTTP through the functions-framework: the deadline fallback, handler
 * failures, the 64 KiB refusal, malformed requests, and that logs never carry conversation text.
 */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { MemoryBroker } from '../src/broker/memory';
import { defineIntentMap, type IntentMap } from '../src/webhook/intent-map';
import { ResponseBuilder, ResponseTooLargeError } from '../src/webhook/response';
import { FALLBACK_GRACE_MS } from '../src/webhook/run';
import { MAX_RESPONSE_BYTES } from '../src/webhook/types';
import { capturedLogs } from './setup';
import { assertWebhookResponse } from './helpers/proto-json';
import { post, serveWebhook, SESSION, webhookRequest, type ServedWebhook } from './helpers/webhook';

/** A promise the test settles by hand. */
function gate<T = void>(): { promise: Promise<T>; open(value: T): void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

const hold = gate();
const lateHandlerDone = gate<boolean>();
let failures = 0;

const map: IntentMap = defineIntentMap({
  intents: {
    slow: async (agent) => {
      await hold.promise;
      agent.text('too late');
      lateHandlerDone.open(await agent.publish({ payload: { note: 'late' } }));
    },
    stuckFallback: async () => {
      await new Promise(() => undefined);
    },
    throws: () => {
      failures += 1;
      throw new Error('db password is hunter2');
    },
    big: (agent) => void agent.text('x'.repeat(70_000)),
    nearlyBig: (agent) => void agent.text('y'.repeat(30_000)),
    hello: (agent) => void agent.text('hello'),
    bigint: (agent) => void agent.webhookPayload({ total: BigInt(10) as unknown as number }),
  },
  fallback: async (agent) => {
    if (agent.intent === 'stuckFallback') await new Promise(() => undefined);
    agent.text(agent.timedOut ? 'still working on it' : 'fallback');
  },
});

describe('webhook behaviour', () => {
  let served: ServedWebhook;
  const broker = new MemoryBroker({ historyMaxLength: 100, historyTtlSeconds: 60, dedupeTtlSeconds: 60 });
  before(async () => {
    served = await serveWebhook(map, { WEBHOOK_DEADLINE_MS: '50' }, { broker });
  });
  after(async () => {
    hold.open();
    await served.close();
  });

  describe('deadline', () => {
    it('answers with the fallback (timedOut) when a handler runs past the deadline; the late handler cannot publish', async () => {
      const request = webhookRequest('slow');
      const reply = await post(served.url, request);
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.json, { fulfillmentText: 'still working on it', fulfillmentMessages: [{ text: { text: ['still working on it'] } }] });
      assertWebhookResponse('v2', reply.json);
      hold.open();
      assert.equal(await lateHandlerDone.promise, false);
      assert.deepEqual(await broker.history('projects/test-project/conversations/conv-123'), []);
      assert.ok(capturedLogs().some((entry) => entry.message === 'intent handler passed the deadline; fallback answers' && entry.responseId === request.responseId));
    });

    it(`answers {} (the intent's own responses) when the fallback also overruns its ${FALLBACK_GRACE_MS} ms grace`, async () => {
      const reply = await post(served.url, webhookRequest('stuckFallback'));
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.json, {});
      assertWebhookResponse('v2', reply.json);
    });
  });

  it('answers 500 with nothing internal when a handler throws, logs an ERROR, and runs it again on a retry', async () => {
    const request = webhookRequest('throws');
    const reply = await post(served.url, request);
    assert.equal(reply.status, 500);
    assert.deepEqual(reply.json, { error: 'internal error' });
    assert.doesNotMatch(reply.text, /hunter2|Error|at /);
    const logged = capturedLogs().find((entry) => entry.message === 'intent handler failed' && entry.responseId === request.responseId);
    assert.equal(logged?.severity, 'ERROR');
    // A failure is not remembered: Dialogflow's retry gets a fresh try.
    assert.equal((await post(served.url, request)).status, 500);
    assert.equal(failures, 2);
  });

  it('answers 500 with nothing internal when the response cannot be serialized', async () => {
    const reply = await post(served.url, webhookRequest('bigint'));
    assert.equal(reply.status, 500);
    assert.deepEqual(reply.json, { error: 'internal error' });
  });

  describe('64 KiB limit', () => {
    it('refuses a response over 64 KiB in the builder: logged, never sent', async () => {
      const request = webhookRequest('big');
      const reply = await post(served.url, request);
      assert.equal(reply.status, 500);
      assert.deepEqual(reply.json, { error: 'internal error' });
      const logged = capturedLogs().find((entry) => entry.message === 'webhook response too large; not sent' && entry.responseId === request.responseId);
      assert.equal(logged?.severity, 'ERROR');
      assert.ok((logged?.bytes as number) > MAX_RESPONSE_BYTES);
    });

    it('sends a response just under the limit', async () => {
      const reply = await post(served.url, webhookRequest('nearlyBig'));
      assert.equal(reply.status, 200);
      assert.ok(reply.text.length > 60_000 && reply.text.length <= MAX_RESPONSE_BYTES);
      assertWebhookResponse('v2', reply.json);
    });

    it('the builder throws a ResponseTooLargeError naming the size', () => {
      const builder = new ResponseBuilder(SESSION, 'en').text('é'.repeat(40_000));
      assert.throws(() => builder.serialize(), (error: unknown) => error instanceof ResponseTooLargeError && error.bytes > MAX_RESPONSE_BYTES && /65536/.test(error.message));
    });
  });

  describe('malformed requests', () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['a JSON array', [], /body must be a JSON WebhookRequest object/],
      ['no responseId', { ...webhookRequest('hello'), responseId: undefined }, /responseId must be a non-empty string/],
      ['a responseId that is not a string', { ...webhookRequest('hello'), responseId: 7 }, /responseId/],
      ['a session that is not a session name', { ...webhookRequest('hello'), session: 'sessions/1' }, /session must be a Dialogflow session name/],
      ['no queryResult', { ...webhookRequest('hello'), queryResult: undefined }, /queryResult must be an object/],
      ['parameters that are not an object', webhookRequest('hello', { queryResult: { parameters: ['a'] } }), /queryResult.parameters must be an object/],
      ['contexts without names', webhookRequest('hello', { queryResult: { outputContexts: [{ lifespanCount: 1 }] } }), /outputContexts/],
      ['a query text that is not a string', webhookRequest('hello', { queryResult: { queryText: { a: 1 } } }), /queryText/],
      ['an originalDetectIntentRequest that is not an object', webhookRequest('hello', { originalDetectIntentRequest: 'x' }), /originalDetectIntentRequest/],
    ];
    for (const [what, body, reason] of cases) {
      it(`400 with a reason for ${what}`, async () => {
        const reply = await post(served.url, body);
        assert.equal(reply.status, 400);
        assert.match(String(reply.json?.error), reason);
      });
    }

    it('400 for a body that is not JSON', async () => {
      const text = await post(served.url, 'responseId=1', { 'content-type': 'text/plain' });
      assert.equal(text.status, 400);
      assert.match(String(text.json?.error), /JSON WebhookRequest/);
      // Invalid JSON is refused by the functions-framework's own body parser, before the handler runs; the
      // framework prints the parse error on stderr, kept out of the test output here.
      const quiet = sinon.stub(console, 'error');
      try {
        assert.equal((await post(served.url, '{"responseId": ')).status, 400);
      } finally {
        quiet.restore();
      }
    });

    it('405 for a method other than POST', async () => {
      const response = await fetch(served.url, { method: 'GET' });
      assert.equal(response.status, 405);
      assert.equal(response.headers.get('allow'), 'POST');
    });
  });

  it('never logs the conversation: no query text, parameters or response text', async () => {
    const request = webhookRequest('hello', { queryResult: { queryText: 'my card is zebra-query-text', parameters: { secret: 'p4ram-value' } } });
    assert.equal((await post(served.url, request)).status, 200);
    await post(served.url, webhookRequest('nowhere', { queryResult: { queryText: 'my card is zebra-query-text' } }));
    const ours = capturedLogs().filter((entry) => entry.component === 'webhook-test');
    assert.ok(ours.some((entry) => entry.responseId === request.responseId || entry.intent === 'nowhere'));
    assert.doesNotMatch(JSON.stringify(ours), /zebra-query-text|p4ram-value|where is my order|too late|still working/);
  });
});
