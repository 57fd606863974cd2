/**
 * What the three registration handlers share: their dependencies, reading the request body the way the
 * Python original did (JSON whatever the content type), issuing a token, and the one mapping of domain
 * errors to HTTP: RefusedError 401, RateLimitedError 429, UnavailableError 503, anything else 500.
 */
import type { Request, Response } from '@google-cloud/functions-framework';
import { signToken, type JwtSettings, type TokenExtras } from '../auth/jwt';
import { ConfigError } from '../config/settings';
import { UnavailableError } from '../errors';
import type { Logger } from '../log';
import type { RegisterConfig } from './config';
import { RateLimitedError, RefusedError } from './errors';
import type { Gate } from './gate';
import type { Provider } from './providers/provider';
import type { AppProvider } from './providers/twilio-app';
import { resolveDeps as resolveHandlerDeps } from '../http/edge';

/** Everything a registration handler needs, resolved once per process. */
export interface RegistrationDeps {
  readonly jwt: JwtSettings;
  readonly log: Logger;
  readonly config: RegisterConfig;
  readonly gate: Gate;
  readonly provider: Provider;
  readonly appProvider: AppProvider;
  /** Qualifies log traces. */
  readonly projectId?: string;
}

export type RegistrationHandler = (req: Request, res: Response) => Promise<void>;

const MAX_USER_LENGTH = 256;

/** The body as an object: parsed JSON, or JSON sent as text or bytes (desktops often omit the type). */
export function bodyObject(body: unknown): Record<string, unknown> | undefined {
  let value = body;
  if (Buffer.isBuffer(value)) value = value.toString('utf8');
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** `gcp_agent_assist_user` of the body, if any (self-asserted, as in the original; bounded). */
export function requestedUser(body: unknown): string | undefined {
  const user = bodyObject(body)?.gcp_agent_assist_user;
  return typeof user === 'string' && user !== '' ? user.slice(0, MAX_USER_LENGTH) : undefined;
}

/** Resolves the handler's dependencies, or answers 500/503 and resolves undefined (the HTTP edge's one mapping). */
export function resolveDeps(deps: () => Promise<RegistrationDeps>, res: Response): Promise<RegistrationDeps | undefined> {
  return resolveHandlerDeps(deps, res);
}

/** Answers 200 with a fresh token; tokens are never cached by anything in between. */
export function sendToken(res: Response, jwt: JwtSettings, user: string, extras: TokenExtras): string {
  const { token, claims } = signToken(jwt, user, Date.now(), extras);
  res.status(200).set('Cache-Control', 'no-store').json({ token });
  return claims.jti;
}

/** Maps a failed registration to its status, logging why (never the credential). */
export function sendFailure(res: Response, error: unknown, log: Logger, fields: Record<string, unknown>): void {
  if (error instanceof RefusedError) {
    log.warn('registration refused', { ...fields, reason: error.message });
    res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: error.message });
  } else if (error instanceof RateLimitedError) {
    log.warn('registration rate limited', { ...fields, retryAfterSeconds: error.retryAfterSeconds });
    res.status(429).set('Retry-After', String(error.retryAfterSeconds)).json({ error: error.message });
  } else if (error instanceof UnavailableError) {
    log.error('identity provider unavailable', { ...fields, reason: error.message });
    res.status(503).set('Retry-After', '5').json({ error: 'identity provider unavailable' });
  } else {
    log.error('registration failed', { ...fields, error: error instanceof ConfigError ? error.message : error });
    res.status(500).json({ error: 'internal error' });
  }
}
