/**
 * The Dialogflow ES fulfillment wire format, as JSON (proto3 JSON mapping, lowerCamelCase), from
 * `google.cloud.dialogflow.v2` / `v2beta1` `WebhookRequest` and `WebhookResponse` (webhook.proto,
 * intent.proto, context.proto, session_entity_type.proto). Only the fields this module reads or writes are
 * typed; the rest pass through as `JsonObject`.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** The Dialogflow ES API version an agent uses (its settings page): v2 is the default, v2beta1 the beta. */
export const API_VERSIONS = ['v2', 'v2beta1'] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];

/** `Intent.Message.Platform`; TELEPHONY exists in v2beta1 only (a v2 agent refuses it as an invalid enum value). */
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

/** `SentimentAnalysisResult` (when sentiment analysis is enabled for the agent). */
export interface SentimentAnalysisResult {
  queryTextSentiment?: { score?: number; magnitude?: number };
}

/** v2beta1 `KnowledgeAnswers` (knowledge connectors). */
export interface KnowledgeAnswers {
  answers?: { source?: string; faqQuestion?: string; answer?: string; matchConfidenceLevel?: string; matchConfidence?: number }[];
}

/**
 * `QueryResult`. Dialogflow may send `null` for any optional field; the request parser turns those into
 * absent fields, so a handler only ever sees `undefined`.
 */
export interface QueryResult {
  queryText?: string;
  speechRecognitionConfidence?: number;
  languageCode?: string;
  action?: string;
  parameters?: JsonObject;
  allRequiredParamsPresent?: boolean;
  fulfillmentText?: string;
  fulfillmentMessages?: Message[];
  outputContexts?: Context[];
  intent?: Intent;
  intentDetectionConfidence?: number;
  diagnosticInfo?: JsonObject;
  sentimentAnalysisResult?: SentimentAnalysisResult;
  /** v2beta1: answers from knowledge connectors. */
  knowledgeAnswers?: KnowledgeAnswers;
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
  /** v2beta1: results from knowledge connectors and other intents, best first. */
  alternativeQueryResults?: QueryResult[];
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
  /** Actions on Google messages (platform ACTIONS_ON_GOOGLE). */
  simpleResponses?: { simpleResponses: { textToSpeech?: string; ssml?: string; displayText?: string }[] };
  basicCard?: {
    title?: string;
    subtitle?: string;
    formattedText?: string;
    image?: { imageUri?: string; accessibilityText?: string };
    buttons?: { title: string; openUriAction: { uri: string } }[];
  };
  suggestions?: { suggestions: { title: string }[] };
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
  /** v2beta1 only: hand the conversation to a human agent. */
  liveAgentHandoff?: boolean;
  /** v2beta1 only: this response ends the interaction. */
  endInteraction?: boolean;
}

/** Dialogflow refuses webhook responses larger than this many bytes. */
export const MAX_RESPONSE_BYTES = 64 * 1024;
