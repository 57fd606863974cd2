/**
 * The Express app of the relay and the local stack. It parses bodies exactly as the functions-framework
 * does (JSON, CloudEvents JSON, text, urlencoded, then raw; `req.rawBody` kept), so a handler from
 * `src/` behaves the same when mounted here as when Cloud Functions runs it, and it answers parser
 * errors and unknown routes with JSON instead of HTML.
 */
import type { Request, Response } from '@google-cloud/functions-framework';
import express, { type NextFunction } from 'express';
import type { IncomingMessage } from 'node:http';
import type { Logger } from '../log';

export type Handler = (req: Request, res: Response) => unknown;

export interface Route {
  /** HTTP method, or `all`. */
  readonly method: 'get' | 'post' | 'put' | 'patch' | 'delete' | 'all';
  /** Express path pattern. */
  readonly path: string;
  readonly handler: Handler;
}

export interface HttpAppOptions {
  readonly routes: readonly Route[];
  /** Largest body accepted, in bytes. */
  readonly bodyLimitBytes: number;
  readonly log: Logger;
  /** Middleware run before the routes (CORS, for example). */
  readonly before?: readonly express.RequestHandler[];
}

function keepRawBody(req: IncomingMessage, _res: unknown, buf: Buffer): void {
  (req as IncomingMessage & { rawBody?: Buffer }).rawBody = buf;
}

export function createHttpApp(options: HttpAppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.enable('trust proxy');
  const limit = options.bodyLimitBytes;
  app.use(express.json({ type: 'application/cloudevents+json', limit, verify: keepRawBody }));
  app.use(express.json({ limit, verify: keepRawBody }));
  app.use(express.text({ limit, verify: keepRawBody }));
  app.use(express.urlencoded({ limit, extended: true, verify: keepRawBody }));
  app.use(express.raw({ type: '*/*', limit, verify: keepRawBody }));
  for (const middleware of options.before ?? []) app.use(middleware);

  for (const route of options.routes) {
    app[route.method](route.path, (req, res, next) => {
      Promise.resolve(route.handler(req as Request, res)).catch(next);
    });
  }

  app.use((_req: express.Request, res: express.Response) => {
    res.status(404).json({ error: 'not found' });
  });
  app.use((error: unknown, _req: express.Request, res: express.Response, _next: NextFunction) => {
    const status = (error as { status?: number }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json({ error: status === 413 ? 'body too large' : 'malformed request body' });
      return;
    }
    options.log.error('unhandled request error', { error });
    if (!res.headersSent) res.status(500).json({ error: 'internal error' });
    else res.end();
  });
  return app;
}
