/**
 * Settings of the fulfillment webhook: the agent's API version, authentication, deadlines, idempotency.
 */
import { SettingsReader, type Env, type SettingsTable } from '../config/settings';
import { GOOGLE_CERTS_SETTING } from '../auth/google-id-token';
import { FALLBACK_GRACE_MS } from './run';
import { API_VERSIONS, type ApiVersion } from './types';

/**
 * How long Dialogflow waits for the webhook: 10 s when the Google Assistant integration called, 5 s for
 * everything else (https://cloud.google.com/dialogflow/es/docs/fulfillment-webhook#webhook_response). The
 * wait includes the network both ways, so a deadline must leave the fallback's grace and the network inside it.
 */
export const CALLER_TIMEOUT_MS = { assistant: 10_000, other: 5_000 } as const;

/** Time kept for the network between the fallback's answer and the caller's timeout. */
export const NETWORK_MARGIN_MS = 250;

export const WEBHOOK_AUTH_MODES = ['none', 'basic', 'header', 'id-token'] as const;
export type WebhookAuthMode = (typeof WEBHOOK_AUTH_MODES)[number];

export const WEBHOOK_SETTINGS = {
  WEBHOOK_API_VERSION: {
    doc: 'The agent\'s API version (agent settings in the Dialogflow ES console): `v2` or `v2beta1`. Answers are built to parse as that version\'s WebhookResponse; on `v2` the v2beta1-only helpers (live-agent handoff, end of interaction, telephony) are left out with a WARNING.',
    default: 'v2',
  },
  WEBHOOK_AUTH: {
    doc: 'How Dialogflow authenticates to the webhook: `none` (Cloud Functions IAM or nothing), `basic`, `header`, or `id-token` (Google ID token of the Dialogflow service agent).',
    default: 'none',
  },
  WEBHOOK_BASIC_USER: { doc: 'User name Dialogflow sends with basic authentication (`WEBHOOK_AUTH=basic`).' },
  WEBHOOK_BASIC_PASSWORD: { doc: 'Password Dialogflow sends with basic authentication.', secret: true },
  WEBHOOK_AUTH_HEADER: { doc: 'Name of the header Dialogflow sends (`WEBHOOK_AUTH=header`), as set in the agent\'s fulfillment headers.' },
  WEBHOOK_AUTH_HEADER_VALUE: { doc: 'Value that header must have.', secret: true },
  WEBHOOK_AUTH_HEADERS: {
    doc: 'Several headers Dialogflow must all send, as a JSON object `{"name": "value", …}` (with `WEBHOOK_AUTH=header`, beside or instead of the single pair; with `basic`, required on top of the credentials).',
    secret: true,
  },
  WEBHOOK_ID_TOKEN_AUDIENCE: { doc: 'Audience the ID token must carry (`WEBHOOK_AUTH=id-token`), usually the webhook URL.' },
  WEBHOOK_PROJECT_NUMBER: {
    doc: 'Number of the agent\'s project: tokens must come from `service-<number>@gcp-sa-dialogflow.iam.gserviceaccount.com`.',
  },
  WEBHOOK_DEADLINE_MS: {
    doc: 'Time a handler has before the fallback answers instead, for every caller but Google Assistant (Dialogflow waits 5 s): 50 to 4500.',
    default: '3500',
  },
  WEBHOOK_ASSISTANT_DEADLINE_MS: {
    doc: 'The same for requests from the Google Assistant integration (Dialogflow waits 10 s): 50 to 9500.',
    default: '8500',
  },
  WEBHOOK_IDEMPOTENCY_TTL_SECONDS: { doc: 'Seconds an answer is kept (by `responseId` and intent), so a retried request gets it again.', default: '600' },
  WEBHOOK_MEMORY_CACHE_ENTRIES: { doc: 'Answers kept in memory when Redis is not configured (oldest dropped first).', default: '10000' },
} as const satisfies SettingsTable;

export type WebhookAuthConfig =
  | { readonly mode: 'none' }
  | { readonly mode: 'basic'; readonly user: string; readonly password: string; readonly headers: readonly HeaderPair[] }
  | { readonly mode: 'header'; readonly headers: readonly HeaderPair[] }
  | { readonly mode: 'id-token'; readonly audience: string; readonly emails: readonly string[]; readonly certsUrl?: string };

/** A header Dialogflow must send, and its value; the name is lowercased. */
export interface HeaderPair {
  readonly name: string;
  readonly value: string;
}

export interface WebhookConfig {
  readonly apiVersion: ApiVersion;
  readonly auth: WebhookAuthConfig;
  /** Deadline for every caller but Google Assistant. */
  readonly deadlineMs: number;
  /** Deadline for the Google Assistant integration. */
  readonly assistantDeadlineMs: number;
  readonly idempotencyTtlSeconds: number;
  readonly memoryCacheEntries: number;
}

/** The email of a project's Dialogflow service agent, the caller of its webhooks. */
export function dialogflowServiceAgent(projectNumber: string): string {
  return `service-${projectNumber}@gcp-sa-dialogflow.iam.gserviceaccount.com`;
}

/** The longest deadline that still answers within a caller's timeout: 4500 ms for 5 s, 9500 for 10 s. */
export function maxDeadline(callerTimeoutMs: number): number {
  return callerTimeoutMs - FALLBACK_GRACE_MS - NETWORK_MARGIN_MS;
}

const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

/** `WEBHOOK_AUTH_HEADERS`: a JSON object of header names to values. */
function headerPairs(read: SettingsReader<typeof WEBHOOK_SETTINGS>): HeaderPair[] {
  const raw = read.str('WEBHOOK_AUTH_HEADERS');
  if (raw === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || Object.keys(parsed).length === 0) {
    read.problem('WEBHOOK_AUTH_HEADERS must be a JSON object of header names to values');
    return [];
  }
  const pairs: HeaderPair[] = [];
  for (const [name, value] of Object.entries(parsed)) {
    if (!HEADER_NAME.test(name.toLowerCase()) || typeof value !== 'string' || value === '') {
      read.problem('WEBHOOK_AUTH_HEADERS must map header names to non-empty strings');
      return [];
    }
    pairs.push({ name: name.toLowerCase(), value });
  }
  return pairs;
}

export function loadWebhookConfig(env: Env, local = false): Readonly<WebhookConfig> {
  const read = new SettingsReader(WEBHOOK_SETTINGS, env, local);
  const mode = read.oneOf('WEBHOOK_AUTH', WEBHOOK_AUTH_MODES) ?? 'none';
  let auth: WebhookAuthConfig = { mode: 'none' };
  if (mode === 'basic') {
    auth = { mode, user: read.required('WEBHOOK_BASIC_USER'), password: read.required('WEBHOOK_BASIC_PASSWORD'), headers: headerPairs(read) };
    if (auth.user.includes(':')) read.problem('WEBHOOK_BASIC_USER must not contain ":"');
  } else if (mode === 'header') {
    const headers = [...headerPairs(read)];
    const single = read.str('WEBHOOK_AUTH_HEADER');
    if (single !== undefined || headers.length === 0) {
      const name = read.required('WEBHOOK_AUTH_HEADER').toLowerCase();
      if (name !== '' && !HEADER_NAME.test(name)) read.problem('WEBHOOK_AUTH_HEADER must be a header name');
      headers.unshift({ name, value: read.required('WEBHOOK_AUTH_HEADER_VALUE') });
    }
    auth = { mode, headers };
  } else if (mode === 'id-token') {
    const projectNumber = read.required('WEBHOOK_PROJECT_NUMBER');
    if (projectNumber !== '' && !/^\d{1,20}$/.test(projectNumber)) read.problem('WEBHOOK_PROJECT_NUMBER must be the project number (digits)');
    const certsUrl = new SettingsReader({ GOOGLE_CERTS_URL: GOOGLE_CERTS_SETTING }, env, local).str('GOOGLE_CERTS_URL');
    auth = { mode, audience: read.required('WEBHOOK_ID_TOKEN_AUDIENCE'), emails: [dialogflowServiceAgent(projectNumber)], certsUrl };
  }
  return read.done({
    apiVersion: read.oneOf('WEBHOOK_API_VERSION', API_VERSIONS) ?? 'v2',
    auth,
    deadlineMs: read.int('WEBHOOK_DEADLINE_MS', 50, maxDeadline(CALLER_TIMEOUT_MS.other)),
    assistantDeadlineMs: read.int('WEBHOOK_ASSISTANT_DEADLINE_MS', 50, maxDeadline(CALLER_TIMEOUT_MS.assistant)),
    idempotencyTtlSeconds: read.int('WEBHOOK_IDEMPOTENCY_TTL_SECONDS', 1, 86400),
    memoryCacheEntries: read.int('WEBHOOK_MEMORY_CACHE_ENTRIES', 1, 1_000_000),
  });
}
