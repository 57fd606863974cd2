/**
 * The one request-handler type of the project: a plain `(req, res)` function, so the relay, the local
 * stack and the deployed functions mount the very same handlers.
 */
import type { Request, Response } from '@google-cloud/functions-framework';

/**
 * A request handler as the functions-framework and the relay's Express app call it. A handler that
 * returns no promise answers every request itself, failures included: nothing is left for the caller
 * to catch.
 */
export type Handler = (req: Request, res: Response) => Promise<void> | void;
