/**
 * Webhook test fixtures: realistic WebhookRequests, and a handler served exactly as the
 * functions-framework serves a deployed function (registered with `http()`, served by `getTestServer`
 * on a loopback port) and called with real `fetch`.
 */
import { http } from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../src/log';
import { createWebhookDeps, type WebhookResources } from '../../src/webhook/compose';
import { loadWebhookConfig } from '../../src/webhook/config';
import { createWebhookHandler, type HttpHandler } from '../../src/webhook/handler';
import type { IntentMap } from '../../src/webhook/intent-map';

export const SESSION = 'projects/test-project/agent/sessions/conv-123';

/** A WebhookRequest as Dialogflow ES sends it, with a fresh responseId; `intent` is the display name. */
export function webhookRequest(intent: string, overrides: { queryResult?: Record<string, unknown>; [key: string]: unknown } = {}): Record<string, unknown> {
  const { queryResult, ...rest } = overrides;
  return {
    responseId: `${randomUUID()}-5b2e4a4d`,
    session: SESSION,
    queryResult: {
      queryText: 'where is my order 42',
      parameters: { 'order-number': 42 },
      allRequiredParamsPresent: true,
      languageCode: 'en',
      intentDetectionConfidence: 0.92,
      intent: { name: 'projects/test-project/agent/intents/8f3c', displayName: intent },
      outputContexts: [
        { name: `${SESSION}/contexts/order-followup`, lifespanCount: 2, parameters: { 'order-number': 42, 'order-number.original': '42' } },
      ],
      ...queryResult,
    },
    originalDetectIntentRequest: { source: 'DIALOGFLOW_CONSOLE', payload: {} },
    ...rest,
  };
}

let served = 0;

export interface ServedWebhook {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `handler` as the functions-framework serves a function named `name` (unique per call). */
export async function serveFunction(handler: HttpHandler): Promise<ServedWebhook> {
  served += 1;
  const name = `webhookTest${served}`;
  http(name, handler);
  const server = getTestServer(name);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Serves an intent map with settings from `env` (as the WEBHOOK_* variables) and optional resources. */
export async function serveWebhook(map: IntentMap, env: Record<string, string> = {}, resources: Partial<WebhookResources> = {}): Promise<ServedWebhook> {
  const deps = createWebhookDeps(map, loadWebhookConfig(env), { log: createLogger('webhook-test'), ...resources });
  return serveFunction(createWebhookHandler(async () => deps));
}

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  readonly json: Record<string, unknown> | undefined;
}

/** POSTs `body` (an object, sent as JSON; a string, sent as is). */
export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}
