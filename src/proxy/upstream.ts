/**
 * The Dialogflow side of the proxy: which endpoint serves a location, how the proxy authenticates
 * (Application Default Credentials), and one forwarded call with a deadline. Errors say what went wrong
 * and carry no HTTP status; the handler maps them.
 */
import type { ProxyTarget } from './allowlist';

/** Returns an OAuth access token for Dialogflow; injected so tests need no Google credentials. */
export type AccessTokenProvider = () => Promise<string>;

const SCOPES = ['https://www.googleapis.com/auth/cloud-platform'];

/**
 * Access tokens from Application Default Credentials (the service account of the function or Cloud Run
 * service; `gcloud auth application-default login` locally). google-auth-library is loaded on the first
 * call, not at import, so a cold start that never proxies does not pay for it; it caches and refreshes
 * the token itself.
 */
export function adcTokenProvider(): AccessTokenProvider {
  let auth: Promise<{ getAccessToken(): Promise<string | null | undefined> }> | undefined;
  return async () => {
    auth ??= import('google-auth-library').then(({ GoogleAuth }) => new GoogleAuth({ scopes: SCOPES }));
    auth.catch(() => (auth = undefined));
    const token = await (await auth).getAccessToken();
    if (!token) throw new Error('Application Default Credentials gave no access token');
    return token;
  };
}

/**
 * The provider a configuration asks for: a fixed token when one is configured (local use), else
 * Application Default Credentials.
 */
export function tokenProviderFor(config: { readonly accessToken?: string }): AccessTokenProvider {
  const fixed = config.accessToken;
  return fixed === undefined ? adcTokenProvider() : async () => fixed;
}

/** The endpoint of a location: the global one, or the regional `<location>-dialogflow.googleapis.com`. */
export function dialogflowBaseUrl(location: string, override?: string): string {
  if (override !== undefined) return override;
  return location === 'global' ? 'https://dialogflow.googleapis.com' : `https://${location}-dialogflow.googleapis.com`;
}

/** Why a forwarded call produced no answer from Dialogflow. */
export class UpstreamError extends Error {
  constructor(
    readonly kind: 'timeout' | 'unreachable' | 'credentials',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UpstreamError';
  }
}

export interface UpstreamCall {
  readonly target: ProxyTarget;
  /** Body to send (undefined: none). */
  readonly body?: Buffer;
  readonly contentType?: string;
  readonly accept?: string;
}

export interface UpstreamOptions {
  readonly token: AccessTokenProvider;
  readonly baseUrl?: string;
  readonly timeoutMs: number;
  /** Injected in tests; the global fetch otherwise. */
  readonly fetch?: typeof fetch;
}

/** A response whose headers arrived in time; `done()` stops the deadline once the body is consumed. */
export interface UpstreamResponse {
  readonly response: Response;
  done(): void;
}

/** The absolute URL of a target, checked to stay on the endpoint's origin (defence in depth). */
export function upstreamUrl(target: ProxyTarget, baseUrl?: string): URL {
  const base = new URL(dialogflowBaseUrl(target.location, baseUrl));
  const url = new URL(`${target.path}${target.query}`, base);
  if (url.origin !== base.origin) throw new Error('upstream URL left the Dialogflow origin');
  return url;
}

/**
 * Sends one call to Dialogflow. Resolves once response headers arrive (any status: Dialogflow's errors
 * are answers too); rejects with UpstreamError when there is no answer. The deadline covers the body as
 * well: if it passes while the body streams, the stream errors.
 */
export async function callDialogflow(call: UpstreamCall, options: UpstreamOptions): Promise<UpstreamResponse> {
  const url = upstreamUrl(call.target, options.baseUrl);
  let token: string;
  try {
    token = await options.token();
  } catch (error) {
    throw new UpstreamError('credentials', 'could not get an access token', { cause: error });
  }
  const headers: Record<string, string> = {
    authorization: `Bearer ${token}`,
    accept: call.accept ?? 'application/json',
    'user-agent': 'agent-assist-backend-proxy',
  };
  if (call.body !== undefined) headers['content-type'] = call.contentType ?? 'application/json';

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  try {
    const response = await (options.fetch ?? fetch)(url, {
      method: call.target.method,
      headers,
      body: call.body,
      // Never follow a redirect: it could lead away from Dialogflow.
      redirect: 'manual',
      signal: controller.signal,
    });
    return { response, done: () => clearTimeout(timer) };
  } catch (error) {
    clearTimeout(timer);
    if (controller.signal.aborted) throw new UpstreamError('timeout', 'dialogflow did not answer in time', { cause: error });
    throw new UpstreamError('unreachable', 'dialogflow could not be reached', { cause: error });
  }
}
