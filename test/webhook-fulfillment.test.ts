/**
 * The inline-editor compatibility module's API, over real HTTP through the functions-framework: what a
 * handler reads, every response class with the library's constructor options, payloads per platform,
 * follow-up events, contexts (current and deprecated methods), `end()`, `conv()`, and `handleRequest`
 * with a Map (null as fallback) or a function; on the typed module's deadline and idempotency store.
 * Every answer is checked by the strict proto3-JSON validator for the configured API version.
 */
import assert from 'node:assert/strict';
import { Card, Image, onRequest, Payload, Suggestion, Text, WebhookClient, type FulfillmentRequest, type FulfillmentResponse } from '../src/webhook/fulfillment';
import type { JsonObject } from '../src/webhook/types';
import { capturedLogs } from './setup';
import { assertWebhookResponse, type ApiVersion } from './helpers/proto-json';
import { post, serveWebhook, SESSION, webhookRequest, type ServedWebhook } from './helpers/webhook';

type Handler = (agent: WebhookClient) => unknown;
let runs = 0;

const handlers: Record<string, Handler> = {
  read: (agent) => {
    const echo: JsonObject = {
      intent: agent.intent,
      action: agent.action,
      parameters: agent.parameters,
      query: agent.query,
      locale: agent.locale,
      session: agent.session,
      requestSource: agent.requestSource,
      hasOriginal: agent.originalRequest !== undefined,
      contexts: agent.contexts.map((c) => ({ name: c.name, lifespan: c.lifespan ?? null })),
      context: agent.context.get('order-followup')?.parameters ?? null,
      console: agent.consoleMessages.map((m) => m.constructor.name),
      slack: agent.SLACK,
      version: agent.agentVersion,
    };
    agent.add(new Payload(agent.UNSPECIFIED, echo, { rawPayload: true }));
  },
  responses: (agent) => {
    agent.add(['one', new Text({ text: 'two', ssml: '<speak>two</speak>' })]);
    agent.add(new Card('Just a title').setText('body').setImage('https://example.com/i.png').setButton({ text: 'Open', url: 'https://example.com' }));
    agent.add(new Image({ imageUrl: 'https://example.com/map.png' }));
    agent.add(new Suggestion({ title: 'Yes' }));
    agent.add(new Suggestion('No'));
    agent.add(new Suggestion({ title: 'Slack only', platform: agent.SLACK }));
    agent.add(new Text({ text: 'Facebook only', platform: agent.FACEBOOK }));
  },
  payloads: (agent) => {
    agent.add('Here you go');
    agent.add(new Payload(agent.FACEBOOK, { attachment: { type: 'template' } }));
    agent.add(new Payload(agent.SLACK, { blocks: [] }));
    agent.add(new Payload(agent.ACTIONS_ON_GOOGLE, { expectUserResponse: false }));
    agent.add(new Payload(agent.TELEGRAM, { text: 'raw' }, { sendAsMessage: true, rawPayload: true }));
    agent.add(new Payload(agent.LINE, { type: 'sticker' }, { sendAsMessage: true }));
    agent.add(new Payload('genesys', { queue: 'billing' }));
  },
  duplicatePayload: (agent) => {
    agent.add(new Payload(agent.SLACK, { a: 1 }));
    agent.add(new Payload(agent.SLACK, { b: 2 }));
  },
  followup: (agent) => agent.setFollowupEvent('CANCEL_ORDER'),
  followupObject: (agent) => agent.setFollowupEvent({ name: 'RESCHEDULE', parameters: { day: 'monday' }, languageCode: 'fr' }),
  contexts: (agent) => {
    agent.context.set('checkout', 3, { step: 'address' });
    agent.context.set({ name: 'order-followup', parameters: { 'order-number': 43 } });
    agent.context.delete('old-topic');
    agent.add(`lifespan ${String(agent.context.get('order-followup')?.lifespan)}`);
  },
  deprecated: (agent) => {
    agent.setContext('plain');
    agent.setContext({ name: 'weather', lifespan: 2, parameters: { city: 'Rome' } });
    agent.clearContext('weather');
    agent.add(`weather ${JSON.stringify(agent.getContext('weather'))}, order ${JSON.stringify(agent.getContext('order-followup')?.lifespan)}`);
  },
  clearAll: (agent) => {
    agent.setContext('a');
    agent.context.delete('order-followup');
    agent.clearOutgoingContexts();
    agent.add('cleared');
  },
  end: (agent) => agent.end('Goodbye!'),
  conv: (agent) => agent.conv(),
  slow: async (agent) => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    agent.add('late');
  },
  counted: async (agent) => {
    await Promise.resolve();
    agent.add(`run ${++runs}`);
  },
};

const map = new Map<string | null, Handler>(Object.entries(handlers));
map.set(null, (agent) => agent.add('the null handler'));

/** The callback an inline editor would hold, routing a few intents in other ways. */
const callback = (request: FulfillmentRequest, response: FulfillmentResponse): void => {
  const agent = new WebhookClient({ request, response });
  const intent = request.body.queryResult.intent?.displayName;
  if (intent === 'byFunction') void agent.handleRequest((a) => a.add(`function for ${a.intent}`));
  else if (intent === 'noMatch') void agent.handleRequest(new Map([['other', (a: WebhookClient) => a.add('x')]]));
  else if (intent === 'badArgument') void agent.handleRequest('nope' as never);
  else if (intent === 'direct') response.json({ fulfillmentText: 'direct' });
  else void agent.handleRequest(map);
};

describe('inline-editor compatibility module (src/webhook/fulfillment)', () => {
  const served = {} as Record<ApiVersion, ServedWebhook>;
  before(async () => {
    const fn = onRequest(callback);
    served.v2 = await serveWebhook(fn.intentMap, { WEBHOOK_DEADLINE_MS: '100' });
    served.v2beta1 = await serveWebhook(fn.intentMap, { WEBHOOK_API_VERSION: 'v2beta1' });
  });
  after(async () => {
    await served.v2.close();
    await served.v2beta1.close();
  });

  async function answer(intent: string, overrides: Parameters<typeof webhookRequest>[1] = {}, version: ApiVersion = 'v2'): Promise<Record<string, unknown>> {
    const reply = await post(served[version].url, webhookRequest(intent, overrides));
    assert.equal(reply.status, 200, reply.text);
    assertWebhookResponse(version, reply.json);
    return reply.json!;
  }

  it('reads the request as the library did: intent, action, parameters, query, locale, session, source, contexts, console messages', async () => {
    const body = await answer('read', {
      queryResult: {
        action: 'order.read',
        languageCode: 'en-GB',
        fulfillmentMessages: [{ text: { text: ['console text'] } }, { quickReplies: { quickReplies: ['A', 'B'] } }, { card: { title: 'C' } }],
      },
      originalDetectIntentRequest: { source: 'slack_testbot', payload: {} },
    });
    assert.deepEqual(body.payload, {
      intent: 'read',
      action: 'order.read',
      parameters: { 'order-number': 42 },
      query: 'where is my order 42',
      locale: 'en-GB',
      session: SESSION,
      requestSource: 'SLACK',
      hasOriginal: true,
      contexts: [{ name: 'order-followup', lifespan: 2 }],
      context: { 'order-number': 42, 'order-number.original': '42' },
      console: ['Text', 'Suggestion', 'Suggestion', 'Card'],
      slack: 'SLACK',
      version: 2,
    });
    const source = async (original: Record<string, unknown> | undefined): Promise<unknown> =>
      ((await answer('read', original ? { originalDetectIntentRequest: original } : {})).payload as JsonObject).requestSource;
    assert.equal(await source({ source: 'google', payload: {} }), 'ACTIONS_ON_GOOGLE');
    assert.equal(await source({ payload: { source: 'facebook' } }), 'FACEBOOK');
    assert.equal(await source({ source: 'DIALOGFLOW_CONSOLE' }), 'DIALOGFLOW_CONSOLE');
    assert.equal(await source({}), null);
  });

  it('rich responses with the library constructors; suggestions merge per platform; others platforms left out', async () => {
    const body = await answer('responses', { originalDetectIntentRequest: { source: 'api' } });
    assert.deepEqual(body.fulfillmentMessages, [
      { text: { text: ['one'] } },
      { text: { text: ['two'] } },
      { card: { title: 'Just a title', subtitle: 'body', imageUri: 'https://example.com/i.png', buttons: [{ text: 'Open', postback: 'https://example.com' }] } },
      { image: { imageUri: 'https://example.com/map.png' } },
      { quickReplies: { quickReplies: ['Yes', 'No'] } },
    ]);
    const slack = await answer('responses', { originalDetectIntentRequest: { source: 'slack' } });
    assert.deepEqual((slack.fulfillmentMessages as Array<{ quickReplies?: unknown }>).filter((m) => m.quickReplies).length, 2);
    assert.throws(() => new Card({ title: 'x', buttonText: 'no url' }), /card button requires both title and link/);
    assert.throws(() => new Text({ text: 'x', platform: 'MYSPACE' }), /Platform 'MYSPACE' not supported/);
    assert.throws(() => new Image({ imageUrl: '' }), /image url string required/);
  });

  it('payloads go to their platform: the request source in the top-level payload, others where they read it', async () => {
    const body = await answer('payloads', { originalDetectIntentRequest: { source: 'facebook' } });
    assert.deepEqual(body.payload, { facebook: { attachment: { type: 'template' } }, google: { expectUserResponse: false }, genesys: { queue: 'billing' } });
    assert.deepEqual(body.fulfillmentMessages, [
      { payload: { slack: { blocks: [] } }, platform: 'SLACK' },
      { payload: { text: 'raw' }, platform: 'TELEGRAM' },
      { payload: { line: { type: 'sticker' } }, platform: 'LINE' },
      { text: { text: ['Here you go'] }, platform: 'FACEBOOK' },
    ]);
    const reply = await post(served.v2.url, webhookRequest('duplicatePayload'));
    assert.equal(reply.status, 500);
  });

  it('a follow-up event with no message is a valid answer, in the request language unless given', async () => {
    assert.deepEqual(await answer('followup', { queryResult: { languageCode: 'de', outputContexts: [] } }), {
      followupEventInput: { name: 'CANCEL_ORDER', languageCode: 'de' },
    });
    assert.deepEqual((await answer('followupObject')).followupEventInput, { name: 'RESCHEDULE', languageCode: 'fr', parameters: { day: 'monday' } });
  });

  it('context.set / get / delete: unchanged lifespans and parameters kept, only changes sent', async () => {
    const body = await answer('contexts');
    assert.equal(body.fulfillmentText, 'lifespan 2');
    assert.deepEqual(body.outputContexts, [
      { name: `${SESSION}/contexts/order-followup`, lifespanCount: 2, parameters: { 'order-number': 43 } },
      { name: `${SESSION}/contexts/checkout`, lifespanCount: 3, parameters: { step: 'address' } },
      { name: `${SESSION}/contexts/old-topic`, lifespanCount: 0 },
    ]);
  });

  it('the deprecated setContext / getContext / clearContext / clearOutgoingContexts', async () => {
    const body = await answer('deprecated');
    assert.equal(body.fulfillmentText, 'weather null, order 2');
    assert.deepEqual(body.outputContexts, [
      { name: `${SESSION}/contexts/order-followup`, lifespanCount: 2, parameters: { 'order-number': 42, 'order-number.original': '42' } },
      { name: `${SESSION}/contexts/plain`, lifespanCount: 5 },
    ]);
    assert.deepEqual(await answer('clearAll'), { fulfillmentText: 'cleared' });
  });

  it('end(): endInteraction on v2beta1; on v2 the text alone, never triggerEndOfConversation', async () => {
    assert.deepEqual(await answer('end', {}, 'v2beta1'), { fulfillmentText: 'Goodbye!', endInteraction: true });
    assert.deepEqual(await answer('end'), { fulfillmentText: 'Goodbye!' });
  });

  it('handleRequest: a Map with null as fallback, a function, no handler ({}), a bad argument (500)', async () => {
    assert.equal((await answer('unknown.intent')).fulfillmentText, 'the null handler');
    assert.equal((await answer('byFunction')).fulfillmentText, 'function for byFunction');
    assert.deepEqual(await answer('noMatch'), {});
    assert.equal((await post(served.v2.url, webhookRequest('badArgument'))).status, 500);
  });

  it('conv() and writing the response directly fail clearly (500, the reason in the log)', async () => {
    const request = webhookRequest('conv');
    assert.equal((await post(served.v2.url, request)).status, 500);
    const logged = capturedLogs().find((e) => e.responseId === request.responseId && e.message === 'intent handler failed');
    assert.match(JSON.stringify(logged?.error), /actions-on-google\) is not supported/);
    assert.equal((await post(served.v2.url, webhookRequest('direct'))).status, 500);
    assert.throws(() => new WebhookClient({ request: { body: {} } as never, response: {} as never }), /runs inside https.onRequest/);
  });

  it("rides on the typed module: past the deadline the answer is {} (the intent's own responses); a retry gets the first answer", async () => {
    assert.deepEqual(await answer('slow'), {});
    const request = webhookRequest('counted');
    const first = await post(served.v2.url, request);
    const retry = await post(served.v2.url, request);
    assert.equal(retry.text, first.text);
    assert.equal(runs, 1);
  });
});
