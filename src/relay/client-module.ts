/**
 * `GET /relay-client.js`: the desktop client (src/client/) as the ES module `scripts/build-client.mjs`
 * builds, served by the relay and the local stack the way Socket.IO serves `/socket.io/socket.io.js`.
 * Any origin may load it (it is public code, and a module script from another origin needs CORS); it is
 * cacheable, revalidated by ETag, and immutable under `?v=<its version>`.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Route } from '../http/app';

/** Where the build puts the module, relative to this file in `dist/src/relay/`. */
export const CLIENT_MODULE_PATH = join(__dirname, '..', 'client', 'browser', 'relay-client.js');

interface Built {
  readonly body: string;
  readonly etag: string;
  readonly version: string;
}

function load(path: string): Built | undefined {
  let body: string;
  try {
    body = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const version = /^\/\*! relay-client\.js (\S+)/.exec(body)?.[1] ?? 'unknown';
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  return { body, etag, version };
}

/** The route serving the built client module from `path` (read once, on first request). */
export function clientModuleRoute(path: string = CLIENT_MODULE_PATH): Route {
  let built: Built | undefined;
  return {
    method: 'get',
    path: '/relay-client.js',
    handler: (req, res) => {
      built ??= load(path);
      if (!built) return res.status(404).json({ error: 'relay-client.js is not built here (npm run build builds it)' });
      const pinned = req.query.v === built.version;
      res.set({
        'Content-Type': 'text/javascript; charset=utf-8',
        // A plain URL may change with the next deploy; one naming the version never does.
        'Cache-Control': pinned ? 'public, max-age=31536000, immutable' : 'public, max-age=3600',
        ETag: built.etag,
        'X-Relay-Client-Version': built.version,
        'Access-Control-Allow-Origin': '*',
        'Cross-Origin-Resource-Policy': 'cross-origin',
        'X-Content-Type-Options': 'nosniff',
      });
      const match = req.headers['if-none-match'];
      if (typeof match === 'string' && match.split(',').some((tag) => tag.trim().replace(/^W\//, '') === built!.etag)) return res.status(304).end();
      return res.status(200).send(built.body);
    },
  };
}
