/**
 * The Dialogflow proxy's HTTP handler, mounted by the `dialogflowProxy` function and by the relay:
 * - 404: the route is not on the allowlist (or is malformed); Dialogflow is not called;
 * - 401: our JWT is missing or refused; 403: the path names another project than the token's;
 * - otherwise Dialogflow's own status, body and relevant headers, errors included;
 * - 504: Dialogflow did not answer in time; 502: it could not be reached, or no access token was had.
 * Request and response bodies are never logged: they hold conversation text.
 */
import type { Request, Response } from '@google-cloud/functions-framework';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { OTHER_PROJECT_REASON, tokenOpensProject } from '../access/project';
import type { JwtSettings } from '../auth/jwt';
import { traceFields, type Logger } from '../log';
import { matchProxyRoute, type ProxyTarget } from './allowlist';
import { requireToken } from '../auth/require-token';
import { callDialogflow, UpstreamError, type AccessTokenProvider } from './upstream';
import { resolveDeps } from '../http/edge';

export interface ProxyDeps {
  readonly jwt: JwtSettings;
  readonly log: Logger;
  readonly token: AccessTokenProvider;
  /** Overrides the Dialogflow endpoint (tests). */
  readonly baseUrl?: string;
  readonly timeoutMs: number;
  readonly fetch?: typeof fetch;
}

/** Response headers passed back to the desktop; the rest (hop-by-hop, encodings undone by fetch) are not. */
const PASSED_HEADERS = ['content-type', 'content-language', 'cache-control', 'retry-after', 'etag', 'last-modified'];

const UPSTREAM_STATUS: Record<UpstreamError['kind'], { status: number; reason: string }> = {
  timeout: { status: 504, reason: 'dialogflow did not answer in time' },
  unreachable: { status: 502, reason: 'dialogflow could not be reached' },
  credentials: { status: 502, reason: 'could not authenticate to dialogflow' },
};

/** The body to forward: none for GET, empty for `:complete` (as the original), else the bytes received. */
function bodyOf(req: Request, target: ProxyTarget): Buffer | undefined {
  if (target.method === 'GET') return undefined;
  if (target.complete) return Buffer.alloc(0);
  if (req.rawBody !== undefined) return req.rawBody;
  if (Buffer.isBuffer(req.body)) return req.body;
  if (typeof req.body === 'string') return Buffer.from(req.body);
  // A parser that kept no raw bytes (or no body at all): an empty JSON request is what Dialogflow expects.
  const parsed: unknown = req.body;
  return Buffer.from(parsed !== undefined && parsed !== null && Object.keys(parsed).length > 0 ? JSON.stringify(parsed) : '');
}

/** Builds the proxy handler; `deps` is resolved on each request (lazily, once, by the caller). */
export function createProxyHandler(deps: () => Promise<ProxyDeps>) {
  return async (req: Request, res: Response): Promise<void> => {
    const resolved = await resolveDeps(deps, res);
    if (!resolved) return;
    const { jwt } = resolved;
    const target = matchProxyRoute(req.method, req.originalUrl ?? req.url);
    if (!target) {
      resolved.log.info('proxy route refused', { method: req.method });
      res.status(404).json({ error: 'not found' });
      return;
    }
    const claims = requireToken(req, res, jwt);
    if (!claims) return;
    const log = resolved.log.child({ rule: target.rule, location: target.location, ...traceFields(req.headers['x-cloud-trace-context'], jwt.projectId) });
    if (!tokenOpensProject(claims, target.project)) {
      log.warn('proxy call for another project refused', { user: claims.gcp_agent_assist_user, tokenProject: claims.gcp_agent_assist_project, project: target.project });
      res.status(403).json({ error: OTHER_PROJECT_REASON });
      return;
    }

    const started = Date.now();
    let upstream;
    try {
      upstream = await callDialogflow(
        { target, body: bodyOf(req, target), contentType: req.headers['content-type'], accept: req.headers.accept },
        resolved,
      );
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      const { status, reason } = UPSTREAM_STATUS[error.kind];
      log[error.kind === 'credentials' ? 'error' : 'warn']('dialogflow call failed', {
        kind: error.kind,
        cause: String(error.cause),
        ms: Date.now() - started,
      });
      res.status(status).json({ error: reason });
      return;
    }

    const { response } = upstream;
    res.status(response.status);
    for (const name of PASSED_HEADERS) {
      const value = response.headers.get(name);
      if (value !== null) res.setHeader(name, value);
    }
    try {
      if (response.body) await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), res);
      else res.end();
      log.info('dialogflow call', { path: target.path, status: response.status, ms: Date.now() - started });
    } catch (error) {
      // Headers are sent; the only honest signal left is a cut connection.
      log.warn('dialogflow response interrupted', { path: target.path, status: response.status, error: String(error) });
      res.destroy();
    } finally {
      upstream.done();
    }
  };
}
