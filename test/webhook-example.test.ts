/**
 * The example agent shipped as `dialogflowWebhook`, over real HTTP: welcome, reading a parameter and
 * setting a context, a follow-up event, and the live-agent handoff that notifies the conversation's
 * desktops through the broker (once, however often Dialogflow retries). Every answer is checked by the
 * strict proto3-JSON validator for the API version the webhook is configured for (v2 by default).
 */
import assert from 'node:assert/strict';
import { MemoryBroker } from '../src/broker/memory';
import { exampleIntentMap } from '../src/webhook/example-agent';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import type { AddressInfo } from 'node:net';
import { webhookMessageId } from '../src/webhook/publish';
import type { WebhookRequest } from '../src/webhook/types';
import { assertWebhookResponse } from './helpers/proto-json';
import { post, serveWebhook, SESSION, webhookRequest, type ServedWebhook } from './helpers/webhook';

describe('webhook example agent', () => {
  let served: ServedWebhook;
  let beta: ServedWebhook;
  const broker = new MemoryBroker({ historyMaxLength: 100, historyTtlSeconds: 60, dedupeTtlSeconds: 60 });
  before(async () => {
    served = await serveWebhook(exampleIntentMap, {}, { broker });
    beta = await serveWebhook(exampleIntentMap, { WEBHOOK_API_VERSION: 'v2beta1' }, { broker });
  });
  after(async () => {
    await served.close();
    await beta.close();
  });

  const answer = async (request: Record<string, unknown>, on: ServedWebhook = served): Promise<Record<string, unknown>> => {
    const reply = await post(on.url, request);
    assert.equal(reply.status, 200, reply.text);
    assertWebhookResponse(on === beta ? 'v2beta1' : 'v2', reply.json);
    return reply.json!;
  };

  it('welcomes with text and quick replies', async () => {
    const body = await answer(webhookRequest('Default Welcome Intent'));
    const messages = body.fulfillmentMessages as Array<Record<string, unknown>>;
    assert.equal(messages.length, 2);
    assert.ok(messages[0].text);
    assert.deepEqual(messages[1].quickReplies, { title: 'What would you like to do?', quickReplies: ['Check my order', 'Talk to a person'] });
  });

  it('reads the order-number parameter and remembers it in a context', async () => {
    const body = await answer(webhookRequest('order.status', { queryResult: { parameters: { 'order-number': 1234 }, outputContexts: [] } }));
    assert.match(String(body.fulfillmentText), /Order 1234 has shipped/);
    assert.deepEqual(body.outputContexts, [{ name: `${SESSION}/contexts/order-followup`, lifespanCount: 3, parameters: { 'order-number': 1234 } }]);
    const missing = await answer(webhookRequest('order.status', { queryResult: { parameters: {} } }));
    assert.match(String(missing.fulfillmentText), /Which order number/);
  });

  it('cancels through a follow-up event, with the order from the context (two intent names, one handler)', async () => {
    for (const intent of ['order.cancel', 'order.status - cancel']) {
      const body = await answer(webhookRequest(intent, { queryResult: { parameters: {} } }));
      assert.deepEqual(body.followupEventInput, { name: 'CANCEL_ORDER', languageCode: 'en', parameters: { 'order-number': 42 } });
      assert.deepEqual(body.outputContexts, [{ name: `${SESSION}/contexts/order-followup`, lifespanCount: 0 }]);
    }
  });

  it('on a v2 agent, hands off with a valid answer (its text, no v2beta1 flag) and still tells the desktops', async () => {
    const request = webhookRequest('agent.handoff');
    const body = await answer(request);
    assert.deepEqual(Object.keys(body).sort(), ['fulfillmentMessages', 'fulfillmentText']);
    assert.match(String(body.fulfillmentText), /put you through/);
    const events = await broker.history('projects/test-project/conversations/conv-123');
    assert.ok(events.some((event) => event.messageId === webhookMessageId(request as unknown as WebhookRequest, 0)));
  });

  it('on a v2beta1 agent, hands off to a live agent and tells the desktops once, even when Dialogflow retries', async () => {
    const before = (await broker.history('projects/test-project/conversations/conv-123')).length;
    const request = webhookRequest('agent.handoff');
    const body = await answer(request, beta);
    assert.equal(body.liveAgentHandoff, true);
    assert.equal((await post(beta.url, request)).text, JSON.stringify(body));
    const events = (await broker.history('projects/test-project/conversations/conv-123')).slice(before);
    assert.equal(events.length, 1);
    assert.equal(events[0].type, 'conversation-lifecycle-event');
    assert.match(events[0].messageId, new RegExp(`^webhook-${String(request.responseId)}-[0-9a-f]{8}-0$`));
    assert.equal(events[0].messageId, webhookMessageId(request as unknown as WebhookRequest, 0));
    assert.deepEqual(JSON.parse(events[0].data), {
      conversation: 'projects/test-project/conversations/conv-123',
      type: 'HUMAN_INTERVENTION_NEEDED',
      webhookEvent: { responseId: request.responseId, intent: 'agent.handoff', payload: { reason: 'customer-request', intent: 'agent.handoff' } },
    });
  });

  it('anything else gets the fallback', async () => {
    assert.match(String((await answer(webhookRequest('Default Fallback Intent'))).fulfillmentText), /didn't get that/);
  });

  it('is what the deployed entry point dialogflowWebhook serves', async () => {
    await import('../functions/dialogflowWebhook');
    const server = getTestServer('dialogflowWebhook');
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const reply = await post(url, webhookRequest('order.status', { queryResult: { parameters: { 'order-number': 7 } } }));
      assert.equal(reply.status, 200);
      assertWebhookResponse('v2', reply.json);
      assert.match(String(reply.json?.fulfillmentText), /Order 7 has shipped/);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
