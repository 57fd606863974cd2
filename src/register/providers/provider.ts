/**
 * The contract of an identity provider: given a desktop's platform token, say who it is or refuse.
 * A provider throws `RefusedError` (the token is bad, or names someone not allowed: 401) or
 * `UnavailableError` (the provider cannot answer now: 503, never a hang and never a 401, so a desktop
 * retries instead of logging its agent out). Providers hold no cache and no rate limit: the gate around
 * them does (see `../gate.ts`).
 */
import type { IncomingHttpHeaders } from 'node:http';

/** Who a platform token names, as far as its provider vouches. */
export interface Identity {
  /** Verified platform identity (`salesforce:005…`, `genesys:<uuid>`…); becomes the JWT's `sub`. */
  readonly subject?: string;
  /** A user name the provider vouches for; used when the desktop names none itself. */
  readonly user?: string;
}

/** What a provider may look at besides the token (a custom provider may want a header). */
export interface CheckRequest {
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
  /** The client address (see `../client-address.ts`). */
  readonly address: string;
}

export interface Provider {
  /** The provider's name in logs and in the cache key (`Salesforce`, `Twilio`, …). */
  readonly name: string;
  /** False when successes must not be cached (Skip logs a warning on every registration). */
  readonly cacheable?: boolean;
  /** True when the provider is asked even without a token (Skip; Custom may look at other headers). */
  readonly tokenOptional?: boolean;
  /** Resolves with the identity, or throws RefusedError / UnavailableError. */
  check(token: string, request: CheckRequest): Promise<Identity>;
}

/** What every HTTP-backed provider is given. */
export interface ProviderHttpOptions {
  /** Timeout of one call, in milliseconds. */
  readonly timeoutMs: number;
}
