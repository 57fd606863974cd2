/**
 * The Dialogflow ES fulfillment wire format, as JSON (proto3 JSON mapping, lowerCamelCase), from
 * `google.cloud.dialogflow.v2` / `v2beta1` `WebhookRequest` and `WebhookResponse` (webhook.proto,
 * intent.proto, context.proto, session_entity_type.proto). Only the fields this module reads or writes are
 * typed; the rest pass through as `JsonObject`.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** `Intent.Message.Platform` (v2beta1 adds TELEPHONY). */
export const PLATFORMS = [
  'PLATFORM_UNSPECIFIED',
  'FACEBOOK',
  'SLACK',
  'TELEGRAM',
  'KIK',
  'SKYPE',
  'LINE',
  'VIBER',
  'ACTIONS_ON_GOOGLE',
  'TELEPHONY',
  'GOOGLE_HANGOUTS',
] as const;

export type Platform = (typeof PLATFORMS)[number];

export function isPlatform(value: unknown): value is Platform {
  return typeof value === 'string' && (PLATFORMS as readonly string[]).includes(value);
}

/** `Context`: `name` is `<session>/contexts/<short name>`. */
export interface Context {
  name: string;
  lifespanCount?: number;
  parameters?: JsonObject;
}

export interface Intent {
  name?: string;
  displayName?: string;
  isFallback?: boolean;
  endInteraction?: boolean;
}

export interface QueryResult {
  queryText?: string;
  languageCode?: string;
  action?: string;
  parameters?: JsonObject;
  allRequiredParamsPresent?: boolean;
  fulfillmentText?: string;
  fulfillmentMessages?: Message[];
  outputContexts?: Context[];
  intent?: Intent;
  intentDetectionConfidence?: number;
}

/** `OriginalDetectIntentRequest`: `source` is set by Dialogflow (`google`, `facebook`, `slack`, …). */
export interface OriginalDetectIntentRequest {
  source?: string;
  version?: string;
  payload?: JsonObject;
}

export interface WebhookRequest {
  /** `projects/P/agent/sessions/S`, or with `locations/L/` and/or `environments/E/users/U/`. */
  session: string;
  /** Unique per detect-intent call; Dialogflow sends it again when it retries. */
  responseId: string;
  queryResult: QueryResult;
  originalDetectIntentRequest?: OriginalDetectIntentRequest;
}

export interface CardButton {
  text?: string;
  postback?: string;
}

/** `Intent.Message`: exactly one of the message fields, plus an optional platform. */
export interface Message {
  platform?: Platform;
  text?: { text: string[] };
  image?: { imageUri: string; accessibilityText?: string };
  quickReplies?: { title?: string; quickReplies: string[] };
  card?: { title?: string; subtitle?: string; imageUri?: string; buttons?: CardButton[] };
  payload?: JsonObject;
  /** v2beta1 telephony messages (platform TELEPHONY). */
  telephonyPlayAudio?: { audioUri: string };
  telephonySynthesizeSpeech?: { text: string } | { ssml: string };
  telephonyTransferCall?: { phoneNumber: string };
}

/** `EventInput`: Dialogflow requires the language code. */
export interface EventInput {
  name: string;
  parameters?: JsonObject;
  languageCode: string;
}

export type EntityOverrideMode = 'ENTITY_OVERRIDE_MODE_OVERRIDE' | 'ENTITY_OVERRIDE_MODE_SUPPLEMENT';

export interface Entity {
  value: string;
  synonyms: string[];
}

/** `SessionEntityType`: `name` is `<session>/entityTypes/<entity type display name>`. */
export interface SessionEntityType {
  name: string;
  entityOverrideMode: EntityOverrideMode;
  entities: Entity[];
}

export interface WebhookResponse {
  fulfillmentText?: string;
  fulfillmentMessages?: Message[];
  source?: string;
  payload?: JsonObject;
  outputContexts?: Context[];
  followupEventInput?: EventInput;
  sessionEntityTypes?: SessionEntityType[];
  /** v2beta1: hand the conversation to a human agent. */
  liveAgentHandoff?: boolean;
  /** v2beta1: this response ends the interaction. */
  endInteraction?: boolean;
}

/** Dialogflow refuses webhook responses larger than this many bytes. */
export const MAX_RESPONSE_BYTES = 64 * 1024;
