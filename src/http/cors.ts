/**
 * The one CORS policy of a process: built once from the allowed origins (`CORS_ALLOWED_ORIGINS`, read by
 * the composition root) and used by every HTTP route and by the Socket.IO endpoint, so a desktop served
 * from another origin is answered the same way by the relay, the local stack and a function deployed alone.
 */
import type { Request, Response } from '@google-cloud/functions-framework';
import cors, { type CorsOptions } from 'cors';
import type { RequestHandler } from 'express';
import type { Handler } from './handler';

export interface CorsPolicy {
  /** The options, as both the `cors` middleware and Socket.IO's `cors` option take them. */
  readonly options: Readonly<CorsOptions>;
  /** The Express middleware (answers preflights itself). */
  readonly middleware: RequestHandler;
}

/** The policy for `origins` (`*`: any origin; empty: none). */
export function createCorsPolicy(origins: readonly string[]): CorsPolicy {
  const options: CorsOptions = { origin: origins.includes('*') ? true : [...origins], credentials: false };
  return { options: Object.freeze(options), middleware: cors(options) as RequestHandler };
}

/** Wraps a handler of a function deployed alone with the policy (the relay applies it to every route instead). */
export function withCors(handler: Handler, policy: CorsPolicy): Handler {
  return async (req: Request, res: Response) => {
    let proceed = false;
    let failure: unknown;
    // With a static origin list the middleware is synchronous: it either calls next, or answers a
    // preflight itself (204) and does not.
    policy.middleware(req, res, (error?: unknown) => {
      failure = error;
      proceed = true;
    });
    if (failure !== undefined) throw failure;
    if (proceed) await handler(req, res);
  };
}
