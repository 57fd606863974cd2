/**
 * Settings of the event functions: push authentication and the body limit.
 */
import { GOOGLE_CERTS_SETTING, type IdTokenSettings } from '../auth/google-id-token';
import { SettingsReader, type Env, type SettingsTable } from '../config/settings';

export const EVENT_SETTINGS = {
  PUSH_AUTH_AUDIENCE: {
    doc: 'Audience expected in Pub/Sub push OIDC tokens; when set (with PUSH_AUTH_SERVICE_ACCOUNTS), event functions require them.',
  },
  PUSH_AUTH_SERVICE_ACCOUNTS: { doc: 'Comma list of service-account emails allowed to push events.' },
  GOOGLE_CERTS_URL: GOOGLE_CERTS_SETTING,
  MAX_EVENT_BODY_BYTES: { doc: 'Largest event delivery accepted (Pub/Sub messages are at most 10 MB, base64 adds a third).', default: '14680064' },
} as const satisfies SettingsTable;

export interface EventConfig {
  readonly pushAuth?: IdTokenSettings;
  readonly maxBodyBytes: number;
}

export function loadEventConfig(env: Env, local = false): Readonly<EventConfig> {
  const read = new SettingsReader(EVENT_SETTINGS, env, local);
  const audience = read.str('PUSH_AUTH_AUDIENCE');
  const emails = read.list('PUSH_AUTH_SERVICE_ACCOUNTS');
  if ((audience === undefined) !== (emails.length === 0)) {
    read.problem('PUSH_AUTH_AUDIENCE and PUSH_AUTH_SERVICE_ACCOUNTS must be set together');
  }
  const pushAuth = audience !== undefined && emails.length > 0 ? { audience, emails, certsUrl: read.str('GOOGLE_CERTS_URL') } : undefined;
  return read.done({ pushAuth, maxBodyBytes: read.int('MAX_EVENT_BODY_BYTES', 1024, 64 * 1024 * 1024) });
}
