/**
 * Answers that do what they say, over real HTTP through the functions-framework, each checked by the
 * strict proto3-JSON validator: a context change expires no other context; a follow-up event's second call
 * within one detect-intent call gets its own answer; the 64 KiB limit counts a lone text once; the deadline
 * follows the caller (Google Assistant 10 s, others 5 s) and one the caller cannot wait for is refused;
 * requests with `null` fields and the v2beta1 request fields are accepted and typed.
 */
import assert from 'node:assert/strict';
import { MemoryBroker } from '../src/broker/memory';
import { ConfigError } from '../src/config/settings';
import { loadWebhookConfig } from '../src/webhook/config';
import { defineIntentMap } from '../src/webhook/intent-map';
import { MAX_RESPONSE_BYTES } from '../src/webhook/types';
import { assertWebhookResponse, protoJsonProblems } from './helpers/proto-json';
import { post, serveWebhook, SESSION, webhookRequest, type ServedWebhook } from './helpers/webhook';

let runs = 0;

const map = defineIntentMap({
  intents: {
    remember: (agent) => void agent.text('Noted.').setContext('checkout', { lifespan: 2 }),
    counted: (agent) => void agent.text(`${agent.intent} run ${++runs}`).followupEvent('NEXT'),
    next: (agent) => void agent.text(`${agent.intent} run ${++runs}`),
    notify: async (agent) => void (await agent.publish({ payload: { from: agent.intent } })),
    'notify - followup': async (agent) => void (await agent.publish({ payload: { from: agent.intent } })),
    long: (agent) => void agent.text('z'.repeat(40_000)),
    longAndCard: (agent) => void agent.text('w'.repeat(40_000)).card({ title: 'More' }),
    slow: async (agent) => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      agent.text('the handler answered');
    },
    read: (agent) => {
      const { request } = agent;
      agent.webhookPayload({
        query: agent.query,
        parameters: agent.parameters,
        contexts: agent.activeContexts().map((c) => c.name),
        source: agent.source,
        alternatives: request.alternativeQueryResults?.length ?? 0,
        knowledge: request.queryResult.knowledgeAnswers?.answers?.[0]?.answer ?? null,
        sentiment: request.queryResult.sentimentAnalysisResult?.queryTextSentiment?.score ?? null,
        confidence: request.queryResult.speechRecognitionConfidence ?? null,
      });
    },
  },
  fallback: (agent) => void agent.text(agent.timedOut ? 'fallback: late' : 'fallback'),
});

describe('webhook answers that do what they say', () => {
  let served: ServedWebhook;
  const broker = new MemoryBroker({ historyMaxLength: 100, historyTtlSeconds: 60, dedupeTtlSeconds: 60 });
  before(async () => {
    served = await serveWebhook(map, { WEBHOOK_DEADLINE_MS: '60', WEBHOOK_ASSISTANT_DEADLINE_MS: '2000' }, { broker });
  });
  after(() => served.close());

  async function answer(request: Record<string, unknown>): Promise<Record<string, unknown>> {
    const reply = await post(served.url, request);
    assert.equal(reply.status, 200, reply.text);
    assertWebhookResponse('v2', reply.json);
    assert.ok(Buffer.byteLength(reply.text) <= MAX_RESPONSE_BYTES);
    return reply.json!;
  }

  it('setting one context expires no other: contexts that arrived without a lifespan are not sent back', async () => {
    const body = await answer(
      webhookRequest('remember', {
        queryResult: {
          outputContexts: [
            { name: `${SESSION}/contexts/__system_counters__`, parameters: { 'no-input': 0, 'no-match': 0 } },
            { name: `${SESSION}/contexts/actions_capability_screen_output` },
            { name: `${SESSION}/contexts/order-followup`, lifespanCount: 2, parameters: { 'order-number': 42 } },
          ],
        },
      }),
    );
    const contexts = body.outputContexts as Array<{ name: string; lifespanCount?: number }>;
    assert.ok(contexts.every((context) => typeof context.lifespanCount === 'number' && context.lifespanCount > 0), JSON.stringify(contexts));
    assert.deepEqual(contexts.map((c) => c.name.split('/').pop()).sort(), ['checkout', 'order-followup']);
  });

  it('a follow-up event reaching the webhook again in the same detect-intent call gets its own answer; a retry the first one', async () => {
    const first = webhookRequest('counted');
    const followup = { ...first, queryResult: { ...(first.queryResult as object), intent: { name: 'projects/test-project/agent/intents/9a', displayName: 'next' } } };
    const a = await answer(first);
    const b = await answer(followup);
    assert.notEqual(a.fulfillmentText, b.fulfillmentText);
    assert.match(String(b.fulfillmentText), /^next run/);
    assert.deepEqual(await answer(first), a);
    assert.deepEqual(await answer(followup), b);
    assert.equal(runs, 2);
  });

  it("the follow-up event's call publishes its own event; a retry publishes nothing again", async () => {
    const first = webhookRequest('notify');
    const followup = { ...first, queryResult: { ...(first.queryResult as object), intent: { name: 'projects/test-project/agent/intents/9b', displayName: 'notify - followup' } } };
    for (const request of [first, followup, first, followup]) await answer(request);
    const events = await broker.history('projects/test-project/conversations/conv-123');
    assert.deepEqual(events.map((event) => (JSON.parse(event.data) as { webhookEvent: { payload: unknown } }).webhookEvent.payload), [
      { from: 'notify' },
      { from: 'notify - followup' },
    ]);
  });

  it('a lone text is sent once when twice would pass 64 KiB; with other messages the messages carry it', async () => {
    assert.deepEqual(await answer(webhookRequest('long')), { fulfillmentText: 'z'.repeat(40_000) });
    assert.deepEqual(await answer(webhookRequest('longAndCard')), {
      fulfillmentMessages: [{ text: { text: ['w'.repeat(40_000)] } }, { card: { title: 'More' } }],
    });
  });

  it('the deadline follows the caller: Google Assistant gets its longer one, others the short one', async () => {
    assert.equal((await answer(webhookRequest('slow'))).fulfillmentText, 'fallback: late');
    const assistant = await answer(webhookRequest('slow', { originalDetectIntentRequest: { source: 'google', version: '2', payload: {} } }));
    assert.equal(assistant.fulfillmentText, 'the handler answered');
  });

  it('a deadline the caller cannot wait for is refused at start', () => {
    const problems = (env: Record<string, string>): readonly string[] => {
      try {
        loadWebhookConfig(env);
        return [];
      } catch (error) {
        assert.ok(error instanceof ConfigError);
        return error.problems;
      }
    };
    assert.match(problems({ WEBHOOK_DEADLINE_MS: '4600' }).join(), /WEBHOOK_DEADLINE_MS must be an integer from 50 to 4500/);
    assert.match(problems({ WEBHOOK_ASSISTANT_DEADLINE_MS: '9600' }).join(), /WEBHOOK_ASSISTANT_DEADLINE_MS must be an integer from 50 to 9500/);
    assert.deepEqual(problems({ WEBHOOK_DEADLINE_MS: '4500', WEBHOOK_ASSISTANT_DEADLINE_MS: '9500' }), []);
    assert.equal(loadWebhookConfig({}).assistantDeadlineMs, 8500);
    assert.match(problems({ WEBHOOK_API_VERSION: 'v1' }).join(), /WEBHOOK_API_VERSION must be one of/);
  });

  it('accepts null for optional fields, and types the v2beta1 request fields', async () => {
    const request = webhookRequest('read', {
      queryResult: {
        queryText: null,
        parameters: null,
        action: null,
        fulfillmentMessages: null,
        outputContexts: [{ name: `${SESSION}/contexts/order-followup`, lifespanCount: null, parameters: null }],
        intent: { name: 'projects/test-project/agent/intents/8f3c', displayName: 'read', isFallback: null },
        speechRecognitionConfidence: 0.87,
        sentimentAnalysisResult: { queryTextSentiment: { score: -0.4, magnitude: 0.6 } },
        knowledgeAnswers: { answers: [{ source: 'projects/test-project/knowledgeBases/kb/documents/d', faqQuestion: 'Hours?', answer: '9 to 5', matchConfidenceLevel: 'HIGH', matchConfidence: 0.9 }] },
      },
      alternativeQueryResults: [{ queryText: 'when are you open', languageCode: 'en', knowledgeAnswers: null }],
      originalDetectIntentRequest: null,
    });
    // The fixture is a request Dialogflow can send: valid v2beta1 WebhookRequest JSON.
    assert.deepEqual(protoJsonProblems('v2beta1', 'WebhookRequest', request), []);
    const body = await answer(request);
    assert.deepEqual(body.payload, {
      query: '',
      parameters: {},
      contexts: ['order-followup'],
      source: '',
      alternatives: 1,
      knowledge: '9 to 5',
      sentiment: -0.4,
      confidence: 0.87,
    });
  });
});
