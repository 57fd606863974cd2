/**
 * Reading a WebhookRequest: validation of the shape this module relies on (so a malformed request is
 * answered 400 with a reason before any handler runs), session names, and the source platform.
 */
import type { JsonObject, Platform, WebhookRequest } from './types';

/** `projects/P[/locations/L]/agent[/environments/E/users/U]/sessions/S`. */
const SESSION = /^projects\/([^/]+)\/(?:locations\/([^/]+)\/)?agent\/(?:environments\/[^/]+\/users\/[^/]+\/)?sessions\/([^/]+)$/;

export type ParsedRequest = { readonly ok: true; readonly request: WebhookRequest } | { readonly ok: false; readonly reason: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A copy without the keys whose value is `null` (proto3 JSON: null means the field's default). */
function withoutNulls(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, member]) => member !== null));
}

/**
 * The request with `null` removed from every optional message field Dialogflow may null (the request, its
 * query results, intent, contexts and original request), never inside parameters or payloads, where null
 * is a value.
 */
function normalize(body: Record<string, unknown>): Record<string, unknown> {
  const result = (value: unknown): unknown => {
    if (!isObject(value)) return value;
    const copy = withoutNulls(value);
    if (isObject(copy.intent)) copy.intent = withoutNulls(copy.intent);
    if (Array.isArray(copy.outputContexts)) copy.outputContexts = copy.outputContexts.map((c) => (isObject(c) ? withoutNulls(c) : c));
    return copy;
  };
  const copy = withoutNulls(body);
  copy.queryResult = result(copy.queryResult);
  if (Array.isArray(copy.alternativeQueryResults)) copy.alternativeQueryResults = copy.alternativeQueryResults.map(result);
  if (isObject(copy.originalDetectIntentRequest)) copy.originalDetectIntentRequest = withoutNulls(copy.originalDetectIntentRequest);
  return copy;
}

/** Checks a parsed JSON body; returns the request, or why it is not one (never the body's text). */
export function parseWebhookRequest(raw: unknown): ParsedRequest {
  if (!isObject(raw)) return { ok: false, reason: 'body must be a JSON WebhookRequest object' };
  const body = normalize(raw);
  const { responseId, session, queryResult, originalDetectIntentRequest } = body;
  if (typeof responseId !== 'string' || responseId === '' || responseId.length > 256) {
    return { ok: false, reason: 'responseId must be a non-empty string' };
  }
  if (typeof session !== 'string' || session.length > 1024 || !SESSION.test(session)) {
    return { ok: false, reason: 'session must be a Dialogflow session name (projects/P/agent/sessions/S)' };
  }
  if (!isObject(queryResult)) return { ok: false, reason: 'queryResult must be an object' };
  if (queryResult.queryText !== undefined && typeof queryResult.queryText !== 'string') {
    return { ok: false, reason: 'queryResult.queryText must be a string' };
  }
  if (queryResult.parameters !== undefined && !isObject(queryResult.parameters)) {
    return { ok: false, reason: 'queryResult.parameters must be an object' };
  }
  const contexts = queryResult.outputContexts;
  if (contexts !== undefined && (!Array.isArray(contexts) || !contexts.every((c) => isObject(c) && typeof c.name === 'string'))) {
    return { ok: false, reason: 'queryResult.outputContexts must be an array of contexts with names' };
  }
  if (queryResult.intent !== undefined && !isObject(queryResult.intent)) {
    return { ok: false, reason: 'queryResult.intent must be an object' };
  }
  if (originalDetectIntentRequest !== undefined && !isObject(originalDetectIntentRequest)) {
    return { ok: false, reason: 'originalDetectIntentRequest must be an object' };
  }
  if (isObject(originalDetectIntentRequest) && originalDetectIntentRequest.payload !== undefined && !isObject(originalDetectIntentRequest.payload)) {
    return { ok: false, reason: 'originalDetectIntentRequest.payload must be an object' };
  }
  if (body.alternativeQueryResults !== undefined && (!Array.isArray(body.alternativeQueryResults) || !body.alternativeQueryResults.every(isObject))) {
    return { ok: false, reason: 'alternativeQueryResults must be an array of query results' };
  }
  return { ok: true, request: body as unknown as WebhookRequest };
}

/** The parts of a session name. */
export interface SessionName {
  readonly project: string;
  readonly location?: string;
  readonly sessionId: string;
}

export function parseSession(session: string): SessionName | undefined {
  const match = SESSION.exec(session);
  if (!match) return undefined;
  return { project: match[1], location: match[2], sessionId: match[3] };
}

/** The short name of a context (`.../contexts/<short>` → `<short>`), lowercased as Dialogflow does. */
export function shortContextName(name: string): string {
  const index = name.lastIndexOf('/contexts/');
  return (index < 0 ? name : name.slice(index + '/contexts/'.length)).toLowerCase();
}

/** `originalDetectIntentRequest.source` values of the built-in integrations, by platform. */
const SOURCES: Readonly<Record<string, Platform>> = {
  google: 'ACTIONS_ON_GOOGLE',
  facebook: 'FACEBOOK',
  slack: 'SLACK',
  slack_testbot: 'SLACK',
  telegram: 'TELEGRAM',
  kik: 'KIK',
  skype: 'SKYPE',
  line: 'LINE',
  viber: 'VIBER',
  hangouts: 'GOOGLE_HANGOUTS',
};

/**
 * The platform a request came from: a built-in integration's source, TELEPHONY for the phone gateway
 * (its source names telephony, or its payload carries `telephony`), else PLATFORM_UNSPECIFIED (the API,
 * Agent Assist, a custom integration).
 */
export function sourcePlatform(source: string | undefined, payload: JsonObject | undefined): Platform {
  const key = (source ?? '').toLowerCase();
  if (SOURCES[key]) return SOURCES[key];
  if (key.includes('telephony') || (payload !== undefined && typeof payload.telephony === 'object')) return 'TELEPHONY';
  return 'PLATFORM_UNSPECIFIED';
}

/** The key a platform's custom payload is nested under in a payload message (`{"facebook": {...}}`). */
export const PAYLOAD_KEYS: Partial<Record<Platform, string>> = {
  ACTIONS_ON_GOOGLE: 'google',
  FACEBOOK: 'facebook',
  SLACK: 'slack',
  TELEGRAM: 'telegram',
  KIK: 'kik',
  SKYPE: 'skype',
  LINE: 'line',
  VIBER: 'viber',
  GOOGLE_HANGOUTS: 'hangouts',
};
