/**
 * Settings of the fulfillment webhook: authentication, deadline, idempotency.
 */
import { SettingsReader, type Env, type SettingsTable } from '../config/settings';
import { EVENT_SETTINGS } from '../events/config';

export const WEBHOOK_AUTH_MODES = ['none', 'basic', 'header', 'id-token'] as const;
export type WebhookAuthMode = (typeof WEBHOOK_AUTH_MODES)[number];

export const WEBHOOK_SETTINGS = {
  WEBHOOK_AUTH: {
    doc: 'How Dialogflow authenticates to the webhook: `none` (Cloud Functions IAM or nothing), `basic`, `header`, or `id-token` (Google ID token of the Dialogflow service agent).',
    default: 'none',
  },
  WEBHOOK_BASIC_USER: { doc: 'User name Dialogflow sends with basic authentication (`WEBHOOK_AUTH=basic`).' },
  WEBHOOK_BASIC_PASSWORD: { doc: 'Password Dialogflow sends with basic authentication.', secret: true },
  WEBHOOK_AUTH_HEADER: { doc: 'Name of the header Dialogflow sends (`WEBHOOK_AUTH=header`), as set in the agent\'s fulfillment headers.' },
  WEBHOOK_AUTH_HEADER_VALUE: { doc: 'Value that header must have.', secret: true },
  WEBHOOK_ID_TOKEN_AUDIENCE: { doc: 'Audience the ID token must carry (`WEBHOOK_AUTH=id-token`), usually the webhook URL.' },
  WEBHOOK_PROJECT_NUMBER: {
    doc: 'Number of the agent\'s project: tokens must come from `service-<number>@gcp-sa-dialogflow.iam.gserviceaccount.com`.',
  },
  WEBHOOK_DEADLINE_MS: {
    doc: 'Time a handler has before the fallback answers instead (Dialogflow waits 5 s, 10 s for Google Assistant).',
    default: '3500',
  },
  WEBHOOK_IDEMPOTENCY_TTL_SECONDS: { doc: 'Seconds an answer is kept by `responseId`, so a retried request gets it again.', default: '600' },
  WEBHOOK_MEMORY_CACHE_ENTRIES: { doc: 'Answers kept in memory when Redis is not configured (oldest dropped first).', default: '10000' },
} as const satisfies SettingsTable;

export type WebhookAuthConfig =
  | { readonly mode: 'none' }
  | { readonly mode: 'basic'; readonly user: string; readonly password: string }
  | { readonly mode: 'header'; readonly header: string; readonly value: string }
  | { readonly mode: 'id-token'; readonly audience: string; readonly emails: readonly string[]; readonly certsUrl?: string };

export interface WebhookConfig {
  readonly auth: WebhookAuthConfig;
  readonly deadlineMs: number;
  readonly idempotencyTtlSeconds: number;
  readonly memoryCacheEntries: number;
}

/** The email of a project's Dialogflow service agent, the caller of its webhooks. */
export function dialogflowServiceAgent(projectNumber: string): string {
  return `service-${projectNumber}@gcp-sa-dialogflow.iam.gserviceaccount.com`;
}

export function loadWebhookConfig(env: Env, local = false): Readonly<WebhookConfig> {
  const read = new SettingsReader(WEBHOOK_SETTINGS, env, local);
  const mode = read.oneOf('WEBHOOK_AUTH', WEBHOOK_AUTH_MODES) ?? 'none';
  let auth: WebhookAuthConfig = { mode: 'none' };
  if (mode === 'basic') {
    auth = { mode, user: read.required('WEBHOOK_BASIC_USER'), password: read.required('WEBHOOK_BASIC_PASSWORD') };
    if (auth.user.includes(':')) read.problem('WEBHOOK_BASIC_USER must not contain ":"');
  } else if (mode === 'header') {
    auth = { mode, header: read.required('WEBHOOK_AUTH_HEADER').toLowerCase(), value: read.required('WEBHOOK_AUTH_HEADER_VALUE') };
    if (auth.header !== '' && !/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(auth.header)) read.problem('WEBHOOK_AUTH_HEADER must be a header name');
  } else if (mode === 'id-token') {
    const projectNumber = read.required('WEBHOOK_PROJECT_NUMBER');
    if (projectNumber !== '' && !/^\d{1,20}$/.test(projectNumber)) read.problem('WEBHOOK_PROJECT_NUMBER must be the project number (digits)');
    const certsUrl = new SettingsReader({ GOOGLE_CERTS_URL: EVENT_SETTINGS.GOOGLE_CERTS_URL }, env, local).str('GOOGLE_CERTS_URL');
    auth = { mode, audience: read.required('WEBHOOK_ID_TOKEN_AUDIENCE'), emails: [dialogflowServiceAgent(projectNumber)], certsUrl };
  }
  return read.done({
    auth,
    deadlineMs: read.int('WEBHOOK_DEADLINE_MS', 50, 9500),
    idempotencyTtlSeconds: read.int('WEBHOOK_IDEMPOTENCY_TTL_SECONDS', 1, 86400),
    memoryCacheEntries: read.int('WEBHOOK_MEMORY_CACHE_ENTRIES', 1, 1_000_000),
  });
}
