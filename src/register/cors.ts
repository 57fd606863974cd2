/**
 * CORS for the deployed registration functions: the relay applies `CORS_ALLOWED_ORIGINS` to every route
 * it serves, and a function deployed on its own must answer browsers the same way (preflight included),
 * or a desktop served from another origin could register through the relay but not through the function.
 */
import type { Request, Response } from '@google-cloud/functions-framework';
import cors from 'cors';
import { SettingsReader, type Env } from '../config/settings';
import { RELAY_SETTINGS } from '../relay/config';

type Handler = (req: Request, res: Response) => Promise<void>;

/** The allowed origins of an environment, as the relay reads them (`*`: any; unset: none). */
export function corsOrigins(env: Env, local = false): string[] {
  return new SettingsReader(RELAY_SETTINGS, env, local).list('CORS_ALLOWED_ORIGINS');
}

/** Wraps a handler with the CORS policy of `env()` (read on the first request, not at import). */
export function withCors(handler: Handler, env: () => Env = () => process.env): Handler {
  let middleware: ReturnType<typeof cors> | undefined;
  return async (req, res) => {
    if (!middleware) {
      const origins = corsOrigins(env());
      middleware = cors({ origin: origins.includes('*') ? true : origins, credentials: false });
    }
    let proceed = false;
    let failure: unknown;
    // With a static origin list the middleware is synchronous: it either calls next, or answers a
    // preflight itself (204) and does not.
    middleware(req, res, (error?: unknown) => {
      failure = error;
      proceed = true;
    });
    if (failure !== undefined) throw failure;
    if (proceed) await handler(req, res);
  };
}
