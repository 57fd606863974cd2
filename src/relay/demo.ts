/**
 * The demo agent desktop: a static page from the project's `public/` folder, served at `/` with its
 * assets under `/demo/`, plus `GET /demo/samples`, which hands the page the Pub/Sub push envelopes of
 * a sample call built by `src/samples/notifications.ts`, so the browser posts exactly what
 * `npm run simulate` posts and the samples live in one place. Mounted only when `DEMO_PAGE` is on
 * (the default in local mode, off in production).
 */
import express from 'express';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError } from '../config/settings';
import { parseConversationName, describeBadName } from '../conversation';
import { pushEnvelopeOf, sampleCall } from '../samples/notifications';

/** The page loads only its own files and talks only to its own origin (HTTP and WebSocket). */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The project's `public/` folder: found by walking up from this module to the folder holding
 * `package.json`, so it is the same from `dist/`, any `dist-*` build dir and the deployed app root.
 */
export function findPublicDir(start: string = __dirname): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'public');
    const parent = dirname(dir);
    if (parent === dir) return join(start, 'public');
    dir = parent;
  }
}

/** One delivery of the sample call: the event route to POST to and the push envelope to POST. */
export interface SampleDelivery {
  readonly path: string;
  readonly envelope: Record<string, unknown>;
}

/** The push deliveries of a sample call in `conversation`, each with a fresh Pub/Sub message id. */
export function sampleDeliveries(conversation: string): SampleDelivery[] {
  return sampleCall(conversation).map((sample) => ({ path: `/${sample.type}`, envelope: pushEnvelopeOf(sample, randomUUID()) }));
}

function pageHeaders(_req: express.Request, res: express.Response, next: express.NextFunction): void {
  res.set({
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-cache',
  });
  next();
}

/**
 * Middleware serving the demo page from `publicDir`. Throws a ConfigError when the page is missing,
 * so a deployment that turns DEMO_PAGE on without shipping `public/` fails at start, not on a click.
 */
export function demoPage(publicDir: string = findPublicDir()): express.RequestHandler {
  const index = join(publicDir, 'index.html');
  if (!existsSync(index)) throw new ConfigError([`DEMO_PAGE is on but ${index} does not exist (ship public/ or set DEMO_PAGE=false)`]);
  const router = express.Router();
  router.get('/', pageHeaders, (_req, res) => res.sendFile(index));
  router.use('/demo', pageHeaders);
  router.get('/demo/samples', (req, res) => {
    const conversation = req.query.conversation;
    if (!parseConversationName(conversation)) return void res.status(400).json({ error: describeBadName(conversation) });
    res.status(200).json({ deliveries: sampleDeliveries(conversation as string) });
  });
  router.use('/demo', express.static(join(publicDir, 'demo'), { index: false, dotfiles: 'ignore', etag: true }));
  return router;
}
