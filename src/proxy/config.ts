/**
 * Settings of the Dialogflow proxy: where it forwards, how it authenticates, how long it waits.
 */
import { SettingsReader, type Env, type SettingsTable } from '../config/settings';

export const PROXY_SETTINGS = {
  DIALOGFLOW_API_BASE_URL: {
    doc: 'Base URL every proxied call goes to instead of `https://[LOCATION-]dialogflow.googleapis.com`; change only for tests.',
  },
  DIALOGFLOW_ACCESS_TOKEN: {
    doc: 'A fixed OAuth access token used instead of Application Default Credentials, for local use (`gcloud auth print-access-token`; it expires within the hour).',
    secret: true,
  },
  DIALOGFLOW_PROXY_TIMEOUT_SECONDS: {
    doc: 'Seconds the Dialogflow proxy waits for Dialogflow before answering 504.',
    default: '30',
  },
} as const satisfies SettingsTable;

export interface ProxyConfig {
  /** Overrides the per-location Dialogflow endpoint (tests point it at a local stand-in). */
  readonly baseUrl?: string;
  readonly timeoutMs: number;
  /** A fixed access token replacing Application Default Credentials (local use). */
  readonly accessToken?: string;
}

/** Reads the proxy's settings; throws one ConfigError listing every problem. */
export function loadProxyConfig(env: Env, local = false): Readonly<ProxyConfig> {
  const read = new SettingsReader(PROXY_SETTINGS, env, local);
  const baseUrl = read.str('DIALOGFLOW_API_BASE_URL');
  if (baseUrl !== undefined && !isHttpOrigin(baseUrl)) {
    read.problem('DIALOGFLOW_API_BASE_URL must be an http(s) URL without a path, query or credentials');
  }
  return read.done({
    baseUrl,
    timeoutMs: read.int('DIALOGFLOW_PROXY_TIMEOUT_SECONDS', 1, 600) * 1000,
    accessToken: read.str('DIALOGFLOW_ACCESS_TOKEN'),
  });
}

/** True for `http(s)://host[:port]` with nothing after it (a trailing slash is tolerated). */
function isHttpOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      url.username === '' &&
      url.password === '' &&
      url.pathname === '/' &&
      url.search === '' &&
      url.hash === ''
    );
  } catch {
    return false;
  }
}
