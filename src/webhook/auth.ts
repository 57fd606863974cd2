/**
 * Authenticates Dialogflow's calls to the webhook, in the mode the deployment configured. Secrets are
 * compared in constant time: both sides are hashed to equal-length digests first, so neither the content
 * nor the length of the expected value leaks through timing. A missing or wrong credential is a 401; a
 * valid Google ID token of another account than the agent's Dialogflow service agent is a 403 (the caller
 * is known, and not allowed).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { createIdTokenVerifier, IdTokenError } from '../auth/google-id-token';
import type { HeaderPair, WebhookAuthConfig } from './config';

export type AuthResult = { readonly ok: true } | { readonly ok: false; readonly reason: string; readonly status: 401 | 403 };

/** Checks one request's headers. */
export type WebhookAuthenticator = (headers: IncomingHttpHeaders) => Promise<AuthResult>;

/** Constant-time string equality (for any lengths). */
export function safeEqual(actual: string, expected: string): boolean {
  const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(actual), digest(expected));
}

const OK: AuthResult = { ok: true };

function refused(reason: string, status: 401 | 403 = 401): AuthResult {
  return { ok: false, reason, status };
}

/** Every configured header must be present with its value (all compared, so timing says nothing). */
function checkHeaders(headers: IncomingHttpHeaders, pairs: readonly HeaderPair[]): AuthResult {
  let missing = false;
  let wrong = false;
  for (const pair of pairs) {
    const value = header(headers, pair.name);
    if (value === undefined) missing = true;
    else if (!safeEqual(value, pair.value)) wrong = true;
  }
  if (missing) return refused('missing authentication header');
  return wrong ? refused('wrong authentication header') : OK;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function createWebhookAuthenticator(config: WebhookAuthConfig): WebhookAuthenticator {
  switch (config.mode) {
    case 'none':
      return async () => OK;
    case 'basic':
      return async (headers) => {
        const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header(headers, 'authorization') ?? '');
        if (!match) return refused('missing basic credentials');
        const decoded = Buffer.from(match[1], 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        const user = colon < 0 ? decoded : decoded.slice(0, colon);
        const password = colon < 0 ? '' : decoded.slice(colon + 1);
        // Both comparisons always run, so a wrong user takes as long as a wrong password.
        const userOk = safeEqual(user, config.user);
        const passwordOk = safeEqual(password, config.password);
        if (!(userOk && passwordOk)) return refused('wrong basic credentials');
        return checkHeaders(headers, config.headers);
      };
    case 'header':
      return async (headers) => checkHeaders(headers, config.headers);
    case 'id-token': {
      const verifier = createIdTokenVerifier(config);
      return async (headers) => {
        try {
          await verifier.verify(header(headers, 'authorization'));
          return OK;
        } catch (error) {
          if (error instanceof IdTokenError) return refused(error.message, error.kind === 'forbidden' ? 403 : 401);
          throw error;
        }
      };
    }
  }
}
