/**
 * Each response helper, over real HTTP through the functions-framework, against the WebhookResponse JSON
 * Dialogflow documents (google.cloud.dialogflow.v2/v2beta1 webhook.proto, proto3 JSON names), every answer
 * checked by the strict proto3-JSON validator against the API version the webhook is configured for; and
 * what a handler reads from the request.
 */
import assert from 'node:assert/strict';
import { defineIntentMap, type IntentHandler } from '../src/webhook/intent-map';
import { capturedLogs } from './setup';
import { assertWebhookResponse, type ApiVersion } from './helpers/proto-json';
import { post, serveWebhook, SESSION, webhookRequest, type ServedWebhook } from './helpers/webhook';

const intents: Record<string, IntentHandler> = {
  text: (agent) => void agent.text('Hello there'),
  texts: (agent) => void agent.texts(['First', 'Second']),
  card: (agent) =>
    void agent.card({
      platform: 'FACEBOOK',
      title: 'Order 42',
      subtitle: 'Shipped',
      imageUri: 'https://example.com/box.png',
      buttons: [{ text: 'Track', postback: 'https://example.com/track/42' }],
    }),
  quickReplies: (agent) => void agent.quickReplies(['Yes', 'No'], { title: 'Cancel it?' }),
  image: (agent) => void agent.image('https://example.com/map.png', { accessibilityText: 'A map', platform: 'SLACK' }),
  payloads: (agent) => {
    agent.payload({ attachment: { type: 'template' } }, 'FACEBOOK');
    agent.payload({ blocks: [] }, 'SLACK');
    agent.payload({ expectUserResponse: true }, 'ACTIONS_ON_GOOGLE');
    agent.payload({ sipHeaders: { 'X-Order': '42' } }, 'TELEPHONY');
    agent.payload({ genesys: { queue: 'billing' } }, 'genesys-cloud');
    agent.payload({ anything: [1, 2] });
  },
  telephony: (agent) => {
    agent.telephonySynthesizeSpeech({ ssml: '<speak>Hold on</speak>' });
    agent.telephonyPlayAudio('gs://bucket/hold.wav');
    agent.telephonyTransferCall('+15551234567');
  },
  contexts: (agent) => {
    agent.setContext('Checkout', { lifespan: 2, parameters: { step: 'address' } });
    agent.updateLifespan('ORDER-FOLLOWUP', 5);
    agent.deleteContext('old-topic');
  },
  followup: (agent) => void agent.followupEvent('CANCEL_ORDER', { 'order-number': 42 }),
  entities: (agent) => {
    agent.sessionEntityType('size', [{ value: 'small', synonyms: ['small', 'S'] }]);
    agent.sessionEntityType('topping', [{ value: 'basil', synonyms: ['basil'] }], 'supplement');
  },
  handoff: (agent) => void agent.liveAgentHandoff().endInteraction(),
  raw: (agent) => {
    agent.message({ simpleResponses: { simpleResponses: [{ textToSpeech: 'Hi', displayText: 'Hi' }] }, platform: 'ACTIONS_ON_GOOGLE' });
    agent.message({ rbmText: { text: 'Hi', rbmSuggestion: [] } } as never);
  },
  mixed: (agent) => {
    agent.text('Transferring you now.');
    agent.card({ title: 'Agent', platform: 'TELEPHONY' });
    agent.payload({ sipHeaders: { 'X-Queue': 'billing' } }, 'TELEPHONY');
    agent.telephonyTransferCall('+15551234567');
    agent.setContext('handoff', { lifespan: 1 });
    agent.liveAgentHandoff().endInteraction();
  },
  read: (agent) => {
    const context = agent.context('Order-Followup');
    agent.webhookPayload({
      intent: agent.intent,
      query: agent.query,
      language: agent.language,
      parameter: agent.parameter('order-number') ?? null,
      platform: agent.platform,
      source: agent.source,
      original: agent.originalPayload,
      context: context ? { name: context.name, fullName: context.fullName, lifespan: context.lifespanCount, parameters: context.parameters } : null,
      missing: agent.context('nope') === undefined,
      sessionId: agent.sessionId,
    });
  },
  platform: (agent) => void agent.webhookPayload({ platform: agent.platform }),
};

describe('webhook response helpers (HTTP through the functions-framework)', () => {
  const served = {} as Record<ApiVersion | 'fresh', ServedWebhook>;
  const map = defineIntentMap({ intents, fallback: (agent) => void agent.text('fallback answer') });
  before(async () => {
    served.v2 = await serveWebhook(map);
    served.v2beta1 = await serveWebhook(map, { WEBHOOK_API_VERSION: 'v2beta1' });
  });
  after(async () => {
    await served.v2.close();
    await served.v2beta1.close();
  });

  /** The answer of a webhook configured for `version` (v2 by default), strictly valid for that version. */
  async function answer(intent: string, overrides: Parameters<typeof webhookRequest>[1] = {}, on: ApiVersion | 'fresh' = 'v2'): Promise<Record<string, unknown>> {
    const reply = await post(served[on].url, webhookRequest(intent, overrides));
    assert.equal(reply.status, 200, reply.text);
    assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
    assertWebhookResponse(on === 'v2beta1' ? 'v2beta1' : 'v2', reply.json);
    return reply.json!;
  }

  it('text: one text message, mirrored in fulfillmentText', async () => {
    assert.deepEqual(await answer('text'), { fulfillmentText: 'Hello there', fulfillmentMessages: [{ text: { text: ['Hello there'] } }] });
  });

  it('texts: one message per string, in order', async () => {
    assert.deepEqual(await answer('texts'), {
      fulfillmentText: 'First\nSecond',
      fulfillmentMessages: [{ text: { text: ['First'] } }, { text: { text: ['Second'] } }],
    });
  });

  it('card: Intent.Message.Card with its platform', async () => {
    assert.deepEqual(await answer('card'), {
      fulfillmentMessages: [
        {
          card: { title: 'Order 42', subtitle: 'Shipped', imageUri: 'https://example.com/box.png', buttons: [{ text: 'Track', postback: 'https://example.com/track/42' }] },
          platform: 'FACEBOOK',
        },
      ],
    });
  });

  it('quick replies and image', async () => {
    assert.deepEqual(await answer('quickReplies'), { fulfillmentMessages: [{ quickReplies: { title: 'Cancel it?', quickReplies: ['Yes', 'No'] } }] });
    assert.deepEqual(await answer('image'), {
      fulfillmentMessages: [{ image: { imageUri: 'https://example.com/map.png', accessibilityText: 'A map' }, platform: 'SLACK' }],
    });
  });

  it('custom payloads: nested per built-in platform, Actions on Google at the top, telephony (v2beta1) and unknown verbatim', async () => {
    assert.deepEqual(await answer('payloads', {}, 'v2beta1'), {
      payload: { google: { expectUserResponse: true } },
      fulfillmentMessages: [
        { payload: { facebook: { attachment: { type: 'template' } } }, platform: 'FACEBOOK' },
        { payload: { slack: { blocks: [] } }, platform: 'SLACK' },
        { payload: { sipHeaders: { 'X-Order': '42' } }, platform: 'TELEPHONY' },
        { payload: { genesys: { queue: 'billing' } } },
        { payload: { anything: [1, 2] } },
      ],
    });
  });

  it('custom payloads on v2: the TELEPHONY one is left out (v2 has no such platform), the rest sent', async () => {
    assert.deepEqual(await answer('payloads'), {
      payload: { google: { expectUserResponse: true } },
      fulfillmentMessages: [
        { payload: { facebook: { attachment: { type: 'template' } } }, platform: 'FACEBOOK' },
        { payload: { slack: { blocks: [] } }, platform: 'SLACK' },
        { payload: { genesys: { queue: 'billing' } } },
        { payload: { anything: [1, 2] } },
      ],
    });
  });

  it('v2beta1 telephony messages', async () => {
    assert.deepEqual(await answer('telephony', {}, 'v2beta1'), {
      fulfillmentMessages: [
        { telephonySynthesizeSpeech: { ssml: '<speak>Hold on</speak>' }, platform: 'TELEPHONY' },
        { telephonyPlayAudio: { audioUri: 'gs://bucket/hold.wav' }, platform: 'TELEPHONY' },
        { telephonyTransferCall: { phoneNumber: '+15551234567' }, platform: 'TELEPHONY' },
      ],
    });
  });

  it('output contexts: set, update lifespan, delete, by short name, full names from the session, active ones kept', async () => {
    assert.deepEqual(await answer('contexts'), {
      outputContexts: [
        { name: `${SESSION}/contexts/order-followup`, lifespanCount: 5, parameters: { 'order-number': 42, 'order-number.original': '42' } },
        { name: `${SESSION}/contexts/checkout`, lifespanCount: 2, parameters: { step: 'address' } },
        { name: `${SESSION}/contexts/old-topic`, lifespanCount: 0 },
      ],
    });
  });

  it('follow-up event with parameters, in the request language', async () => {
    assert.deepEqual(await answer('followup', { queryResult: { languageCode: 'fr-CA' } }), {
      followupEventInput: { name: 'CANCEL_ORDER', languageCode: 'fr-CA', parameters: { 'order-number': 42 } },
    });
  });

  it('session entity types: override and supplement', async () => {
    assert.deepEqual(await answer('entities'), {
      sessionEntityTypes: [
        { name: `${SESSION}/entityTypes/size`, entityOverrideMode: 'ENTITY_OVERRIDE_MODE_OVERRIDE', entities: [{ value: 'small', synonyms: ['small', 'S'] }] },
        { name: `${SESSION}/entityTypes/topping`, entityOverrideMode: 'ENTITY_OVERRIDE_MODE_SUPPLEMENT', entities: [{ value: 'basil', synonyms: ['basil'] }] },
      ],
    });
  });

  it('message(): any Intent.Message as given; a v2beta1-only one (RBM) left out on v2', async () => {
    const simple = { simpleResponses: { simpleResponses: [{ textToSpeech: 'Hi', displayText: 'Hi' }] }, platform: 'ACTIONS_ON_GOOGLE' };
    assert.deepEqual(await answer('raw'), { fulfillmentMessages: [simple] });
    assert.deepEqual(await answer('raw', {}, 'v2beta1'), { fulfillmentMessages: [simple, { rbmText: { text: 'Hi', rbmSuggestion: [] } }] });
  });

  it('v2beta1 live-agent handoff and end of interaction', async () => {
    assert.deepEqual(await answer('handoff', {}, 'v2beta1'), { liveAgentHandoff: true, endInteraction: true });
  });

  it('on v2, the v2beta1-only helpers leave their part out, the rest is sent, and one WARNING per helper names the setting', async () => {
    // A fresh process-like instance, so no earlier test has had its warnings already.
    const fresh = await serveWebhook(map);
    served.fresh = fresh;
    const before = capturedLogs().length;
    const first = await answer('mixed', {}, 'fresh');
    assert.deepEqual(first, {
      fulfillmentText: 'Transferring you now.',
      fulfillmentMessages: [{ text: { text: ['Transferring you now.'] } }],
      outputContexts: [
        { name: `${SESSION}/contexts/order-followup`, lifespanCount: 2, parameters: { 'order-number': 42, 'order-number.original': '42' } },
        { name: `${SESSION}/contexts/handoff`, lifespanCount: 1 },
      ],
    });
    await answer('mixed', {}, 'fresh');
    await answer('telephony', {}, 'fresh');
    await fresh.close();
    const warnings = capturedLogs()
      .slice(before)
      .filter((entry) => entry.message === 'webhook helper needs the v2beta1 API; left out of the answer');
    assert.deepEqual(warnings.map((entry) => entry.helper).sort(), [
      'card (platform TELEPHONY)',
      'endInteraction',
      'liveAgentHandoff',
      'payload (platform TELEPHONY)',
      'telephonyPlayAudio',
      'telephonySynthesizeSpeech',
      'telephonyTransferCall',
    ]);
    assert.ok(warnings.every((entry) => entry.setting === 'WEBHOOK_API_VERSION' && entry.severity === 'WARNING'));
    assert.deepEqual(await answer('telephony'), {});
    // The same helpers on v2beta1 are sent as they are.
    const beta = await answer('mixed', {}, 'v2beta1');
    assert.equal(beta.liveAgentHandoff, true);
    assert.equal((beta.fulfillmentMessages as unknown[]).length, 4);
  });

  it('a handler reads query, parameters, contexts by short name, language, the original payload and platform', async () => {
    const body = await answer('read', {
      queryResult: { languageCode: 'de' },
      originalDetectIntentRequest: { source: 'facebook', payload: { data: { sender: { id: 'psid-1' } } } },
    });
    assert.deepEqual(body.payload, {
      intent: 'read',
      query: 'where is my order 42',
      language: 'de',
      parameter: 42,
      platform: 'FACEBOOK',
      source: 'facebook',
      original: { data: { sender: { id: 'psid-1' } } },
      context: {
        name: 'order-followup',
        fullName: `${SESSION}/contexts/order-followup`,
        lifespan: 2,
        parameters: { 'order-number': 42, 'order-number.original': '42' },
      },
      missing: true,
      sessionId: 'conv-123',
    });
  });

  it('source platforms: Actions on Google, the phone gateway, and unknown sources', async () => {
    const platform = async (original: Record<string, unknown>): Promise<unknown> =>
      ((await answer('platform', { originalDetectIntentRequest: original })).payload as Record<string, unknown>).platform;
    assert.equal(await platform({ source: 'google', version: '2' }), 'ACTIONS_ON_GOOGLE');
    assert.equal(await platform({ source: 'GOOGLE_TELEPHONY', payload: { telephony: { caller_id: '+15550000000' } } }), 'TELEPHONY');
    assert.equal(await platform({ source: 'genesys' }), 'PLATFORM_UNSPECIFIED');
    assert.equal(await platform({}), 'PLATFORM_UNSPECIFIED');
  });

  it('an intent the map does not name goes to the fallback', async () => {
    assert.deepEqual(await answer('not.in.the.map'), { fulfillmentText: 'fallback answer', fulfillmentMessages: [{ text: { text: ['fallback answer'] } }] });
    assert.deepEqual(await answer('toString'), { fulfillmentText: 'fallback answer', fulfillmentMessages: [{ text: { text: ['fallback answer'] } }] });
  });
});
