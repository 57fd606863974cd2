/**
 * Domain errors of registration. Like every domain error here they carry no HTTP status: the handlers
 * map them once (RefusedError → 401, RateLimitedError → 429, UnavailableError from `src/errors.ts` → 503).
 */

/** The caller's credential was checked and refused; `message` is short and safe to return to the caller. */
export class RefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedError';
  }
}

/** The caller's address failed too often recently; it may try again after `retryAfterSeconds`. */
export class RateLimitedError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('too many failed attempts');
    this.name = 'RateLimitedError';
  }
}
