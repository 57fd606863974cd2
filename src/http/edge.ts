/**
 * The HTTP edge every handler shares: resolving a handler's dependencies, the method check, and the one
 * mapping of errors to statuses. Domain errors carry no HTTP status; this is where they get one:
 * UnavailableError (something we depend on is down, may succeed later) → 503 with `Retry-After`;
 * a request the caller got wrong → its 4xx; anything else → 500, without internals.
 */
import type { Request, Response } from '@google-cloud/functions-framework';
import { UnavailableError } from '../errors';

/** Seconds a client is asked to wait before retrying a 503. */
export const RETRY_AFTER_SECONDS = 5;

/** A request the caller got wrong: answered with its status (400 to 499) and message. */
export class BadRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'BadRequestError';
  }
}

/** Answers `error` with its status: 503 + Retry-After, the 4xx of a BadRequestError, else 500 (`fallback` as the message). */
export function answerError(res: Response, error: unknown, unavailable = 'unavailable, retry later', fallback = 'internal error'): void {
  if (error instanceof UnavailableError) {
    res.status(503).set('Retry-After', String(RETRY_AFTER_SECONDS)).json({ error: unavailable });
  } else if (error instanceof BadRequestError && error.status >= 400 && error.status < 500) {
    res.status(error.status).json({ error: error.message });
  } else {
    res.status(500).json({ error: fallback });
  }
}

/**
 * A handler's dependencies, or undefined once the request is answered: 503 (Retry-After) when what they
 * need is unavailable, 500 when they cannot be built (the reason is logged where they are built, never sent).
 */
export async function resolveDeps<T>(deps: () => Promise<T>, res: Response): Promise<T | undefined> {
  try {
    return await deps();
  } catch (error) {
    answerError(res, error, 'service not configured', 'service not configured');
    return undefined;
  }
}

/** Whether the request's method is one of `allowed`; otherwise answers 405 with `Allow`. */
export function allowMethods(req: Request, res: Response, allowed: readonly string[]): boolean {
  if (allowed.includes(req.method)) return true;
  res.status(405).set('Allow', allowed.join(', ')).json({ error: 'method not allowed' });
  return false;
}

/** The part of a `node:domain` Domain this module uses. */
interface RequestDomain {
  enter(): void;
  exit(): void;
}

/**
 * Runs `fn` with the functions-framework's per-request domain exited, and enters it again before
 * returning (or throwing, so a synchronous throw still reaches the framework's crash response).
 *
 * The framework runs each HTTP request in a `node:domain`, entered once around the user function. Once a
 * domain exists every promise pays for async hooks, and every promise, tick, timer and event emitter
 * created while one is active is also bound to it: entered and exited around each callback, for as long
 * as it lives. The variants measured beside the no-op function (README "Benchmarks") put that at several
 * microseconds a delivery for the event handler. What `fn` creates is not bound, so:
 * - long-lived clients built on a first request (Redis, auth) are not tied to that request's domain for
 *   the life of the process, where anything they threw would land on a response long finished;
 * - a throw from a timer or socket callback that `fn` starts, or an `'error'` event nobody listens to,
 *   reaches the framework's process handler (a 500 and a restart of the instance) instead of this
 *   request's crash response. Promise rejections are unaffected (a domain never catches them; a promise
 *   the handler returns is still caught by the framework, and one that returns none answers its own
 *   failures), so it suits code that works through promises and runs no user code, not a handler that
 *   runs user code (the webhook keeps its domain).
 * Outside the framework (`process.domain` null or undefined) `fn` simply runs.
 */
export function outsideRequestDomain<T>(fn: () => T): T {
  const active = (process as { domain?: RequestDomain | null }).domain;
  if (!active) return fn();
  active.exit();
  try {
    return fn();
  } finally {
    active.enter();
  }
}
