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
