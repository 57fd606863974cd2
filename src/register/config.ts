/**
 * Settings of token registration (`/register`, `/register/refresh`, `/register-app`): which identity
 * provider checks a desktop's platform token, where each provider lives, and the limits around the check
 * (timeout, cache, failure rate limit, refresh window). Names of the Python original where it had them.
 */
import { SettingsReader, type Env, type SettingsTable } from '../config/settings';
import { isSalesforceId, toSalesforceId18 } from './providers/salesforce-id';

export const AUTH_OPTIONS = ['Salesforce', 'SalesforceLWC', 'GenesysCloud', 'Twilio', 'Custom', 'Skip'] as const;
export type AuthOption = (typeof AUTH_OPTIONS)[number];

export const REGISTER_SETTINGS = {
  AUTH_OPTION: {
    doc: 'How `/register` checks platform tokens: `Salesforce`, `SalesforceLWC`, `GenesysCloud`, `Twilio`, `Custom` or `Skip`. Unset: the process still starts (with a WARNING at start) and refuses every registration with 401 `registration is not configured`; local mode accepts them with a warning.',
  },
  AUTH_SKIP_ALLOWED: { doc: 'Must be `true` for `AUTH_OPTION=Skip` to start (accepts any token; never in production).', default: 'false' },
  AUTH_CUSTOM_MODULE: { doc: 'With `AUTH_OPTION=Custom`: path of a JavaScript module exporting `async check(token, request)` (see docs/registration.md).' },
  APP_AUTH_OPTION: { doc: 'How `/register-app` checks applications: `Twilio` (account SID and auth token). Unset: every request is refused.' },
  SALESFORCE_DOMAIN: { doc: 'Salesforce login or My Domain host whose `/services/oauth2/userinfo` checks tokens.', default: 'login.salesforce.com' },
  SALESFORCE_ORGANIZATION_ID: { doc: 'The Salesforce organization (15- or 18-character id) whose users may register.' },
  SALESFORCE_BASE_URL: { doc: 'Overrides `https://{SALESFORCE_DOMAIN}` (tests; plain http only to loopback).' },
  GENESYS_CLOUD_ENVIRONMENT: { doc: 'Genesys Cloud region domain; tokens are checked at `https://api.{it}/api/v2/users/me`.', default: 'mypurecloud.com' },
  GENESYS_CLOUD_ORGANIZATION_ID: { doc: 'When set, the Genesys Cloud user must belong to this organization.' },
  GENESYS_CLOUD_BASE_URL: { doc: 'Overrides `https://api.{GENESYS_CLOUD_ENVIRONMENT}` (tests; plain http only to loopback).' },
  TWILIO_FLEX_ENVIRONMENT: { doc: 'Host of the Twilio Flex serverless service whose `POST /verify` checks Flex tokens.' },
  TWILIO_FLEX_BASE_URL: { doc: 'Overrides `https://{TWILIO_FLEX_ENVIRONMENT}` (tests; plain http only to loopback).' },
  TWILIO_ACCOUNT_SID: { doc: 'The Twilio account allowed at `/register-app` (and, when `/verify` reports one, at `/register`).' },
  TWILIO_API_BASE_URL: { doc: 'Base URL of the Twilio REST API (Accounts API for `/register-app`).', default: 'https://api.twilio.com' },
  AUTH_PROVIDER_TIMEOUT_MS: { doc: 'Timeout of one call to an identity provider; past it the request answers 503.', default: '5000' },
  AUTH_CACHE_SECONDS: { doc: 'Seconds a successful platform check is remembered (keyed by a SHA-256 of the token); 0 disables.', default: '300' },
  AUTH_MAX_FAILURES: { doc: 'Failed registrations one client address may make per window before it gets 429 (per instance).', default: '10' },
  AUTH_FAILURE_WINDOW_SECONDS: { doc: 'The window of `AUTH_MAX_FAILURES`.', default: '300' },
  AUTH_TRUSTED_PROXY_HOPS: {
    doc: 'Proxies in front that append to `X-Forwarded-For` (1 behind Cloud Run or Cloud Functions, 2 behind a load balancer); 0 uses the TCP peer.',
    default: '1',
    localDefault: '0',
  },
  JWT_REFRESH_WINDOW_MINUTES: {
    doc: 'Minutes after the platform check during which `/register/refresh` renews a valid JWT without the provider; 0 disables refresh.',
    default: '720',
  },
} as const satisfies SettingsTable;

export interface RegisterConfig {
  /** Undefined: no provider configured (refuse everything; local mode allows with a warning). */
  readonly authOption?: AuthOption;
  readonly appAuthOption?: 'Twilio';
  readonly customModule?: string;
  readonly salesforce: { readonly baseUrl: string; readonly organizationId: string };
  readonly genesys: { readonly baseUrl: string; readonly organizationId?: string };
  readonly twilio: { readonly flexBaseUrl: string; readonly apiBaseUrl: string; readonly accountSid?: string };
  readonly timeoutMs: number;
  readonly cacheSeconds: number;
  readonly maxFailures: number;
  readonly failureWindowSeconds: number;
  readonly trustedProxyHops: number;
  readonly refreshWindowMinutes: number;
}

const HOST = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$/i;
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** A base URL: https, or plain http to a loopback address only (never send a token in clear). */
function baseUrl(read: SettingsReader<typeof REGISTER_SETTINGS>, override: keyof typeof REGISTER_SETTINGS, host: string | undefined, hostSetting: string): string {
  const raw = read.str(override);
  if (raw === undefined) {
    if (host !== undefined && !HOST.test(host)) read.problem(`${hostSetting} must be a host name (got "${host.slice(0, 60)}")`);
    return host === undefined ? '' : `https://${host}`;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    read.problem(`${override} must be a URL`);
    return '';
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.test(url.hostname))) {
    read.problem(`${override} must use https (plain http only to a loopback address)`);
  }
  return raw.replace(/\/+$/, '');
}

/** Reads and checks the registration settings; throws one ConfigError listing every problem. */
export function loadRegisterConfig(env: Env, local = false): Readonly<RegisterConfig> {
  const read = new SettingsReader(REGISTER_SETTINGS, env, local);
  const authOption = read.oneOf('AUTH_OPTION', AUTH_OPTIONS);
  const appAuthOption = read.oneOf('APP_AUTH_OPTION', ['Twilio'] as const);
  const skipAllowed = read.bool('AUTH_SKIP_ALLOWED');
  if (authOption === 'Skip' && !skipAllowed) {
    read.problem('AUTH_OPTION=Skip accepts any token: set AUTH_SKIP_ALLOWED=true to confirm (never in production)');
  }
  const customModule = read.str('AUTH_CUSTOM_MODULE');
  if (authOption === 'Custom' && customModule === undefined) read.problem('AUTH_OPTION=Custom needs AUTH_CUSTOM_MODULE');

  const organizationId = read.str('SALESFORCE_ORGANIZATION_ID') ?? '';
  if (authOption === 'Salesforce' || authOption === 'SalesforceLWC') {
    if (!isSalesforceId(organizationId)) read.problem('SALESFORCE_ORGANIZATION_ID must be a 15- or 18-character Salesforce id');
  }
  const flexHost = read.str('TWILIO_FLEX_ENVIRONMENT');
  const flexBaseUrl = baseUrl(read, 'TWILIO_FLEX_BASE_URL', flexHost, 'TWILIO_FLEX_ENVIRONMENT');
  if (authOption === 'Twilio' && flexBaseUrl === '') read.problem('AUTH_OPTION=Twilio needs TWILIO_FLEX_ENVIRONMENT');
  const accountSid = read.str('TWILIO_ACCOUNT_SID');
  if (accountSid !== undefined && !/^AC[0-9a-f]{32}$/i.test(accountSid)) read.problem('TWILIO_ACCOUNT_SID must be AC followed by 32 hex digits');
  if (appAuthOption === 'Twilio' && accountSid === undefined) read.problem('APP_AUTH_OPTION=Twilio needs TWILIO_ACCOUNT_SID');

  return read.done({
    authOption,
    appAuthOption,
    customModule,
    salesforce: {
      baseUrl: baseUrl(read, 'SALESFORCE_BASE_URL', read.str('SALESFORCE_DOMAIN'), 'SALESFORCE_DOMAIN'),
      organizationId: isSalesforceId(organizationId) ? toSalesforceId18(organizationId) : organizationId,
    },
    genesys: {
      baseUrl: baseUrl(read, 'GENESYS_CLOUD_BASE_URL', `api.${read.str('GENESYS_CLOUD_ENVIRONMENT') ?? ''}`, 'GENESYS_CLOUD_ENVIRONMENT'),
      organizationId: read.str('GENESYS_CLOUD_ORGANIZATION_ID'),
    },
    twilio: { flexBaseUrl, apiBaseUrl: baseUrl(read, 'TWILIO_API_BASE_URL', undefined, ''), accountSid },
    timeoutMs: read.int('AUTH_PROVIDER_TIMEOUT_MS', 50, 60_000),
    cacheSeconds: read.int('AUTH_CACHE_SECONDS', 0, 3600),
    maxFailures: read.int('AUTH_MAX_FAILURES', 1, 1_000_000),
    failureWindowSeconds: read.int('AUTH_FAILURE_WINDOW_SECONDS', 1, 86_400),
    trustedProxyHops: read.int('AUTH_TRUSTED_PROXY_HOPS', 0, 10),
    refreshWindowMinutes: read.int('JWT_REFRESH_WINDOW_MINUTES', 0, 7 * 24 * 60),
  });
}
