/**
 * The fulfillment webhook's API, from one module: what an intent-map author imports (docs/webhook.md).
 *
 * ```ts
 * import { http } from '@google-cloud/functions-framework';
 * import { defineIntentMap, webhookFunction, type IntentHandler } from '../src/webhook';
 * http('dialogflowWebhook', webhookFunction(defineIntentMap({ intents: { … }, fallback })));
 * ```
 *
 * Inline-editor code written against `dialogflow-fulfillment` uses `./fulfillment` instead.
 */
export { defineIntentMap, type IntentHandler, type IntentMap } from './intent-map';
export { webhookFunction } from '../app/functions/webhook';
export type { WebhookAgent, ActiveContext, AgentOptions } from './agent';
export type { WebhookEvent } from './publish';
export { ResponseTooLargeError, type CardOptions, type MessageOptions } from './response';
export {
  API_VERSIONS,
  MAX_RESPONSE_BYTES,
  PLATFORMS,
  isPlatform,
  type ApiVersion,
  type CardButton,
  type Context,
  type Entity,
  type EventInput,
  type JsonObject,
  type JsonValue,
  type Message,
  type OriginalDetectIntentRequest,
  type Platform,
  type QueryResult,
  type SessionEntityType,
  type WebhookRequest,
  type WebhookResponse,
} from './types';
