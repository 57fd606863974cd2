/**
 * `/conversation-name`, as the Python UI connector answered it (bodies byte for byte where a client reads them):
 * - `POST {conversationIntegrationKey, conversationName}` → 200 `{"<key>": "<name>"}`;
 * - `GET ?conversationIntegrationKey=K` → 200 `{"conversationName": "<name or empty>"}`;
 * - `DELETE ?conversationIntegrationKey=K` → 200 `Success`, or 404 `Not found`;
 * - 400 `Bad request` for a missing key or a malformed conversation name.
 * Added here: 401 without a valid JWT (checked before anything else but the method), 403 for a name of
 * another project than the token's (neither stored, returned nor deleted), 405 for other methods, 503
 * when the store is unreachable. The integration key (often a phone number) is never logged.
 */
import type { Request, Response } from '@google-cloud/functions-framework';
import { OTHER_PROJECT_REASON, tokenOpensProject } from '../access/project';
import type { JwtSettings, TokenClaims } from '../auth/jwt';
import { parseConversationName } from '../conversation';
import { UnavailableError } from '../errors';
import type { Logger } from '../log';
import { requireToken } from '../auth/require-token';
import { hashIntegrationKey, type ConversationNameStore } from './store';
import { allowMethods, resolveDeps } from '../http/edge';

export interface ConversationNameDeps {
  readonly jwt: JwtSettings;
  readonly log: Logger;
  readonly store: ConversationNameStore;
}

const MAX_KEY_LENGTH = 1024;
const ALLOWED = ['GET', 'POST', 'DELETE'];

/** A usable integration key from a body field or a query parameter, else undefined. */
function keyOf(value: unknown): string | undefined {
  const first = Array.isArray(value) ? (value[0] as unknown) : value;
  return typeof first === 'string' && first !== '' && first.length <= MAX_KEY_LENGTH ? first : undefined;
}

function badRequest(res: Response): void {
  res.status(400).type('text/plain').send('Bad request');
}

/** True when `name` is a conversation of the token's project (a name that does not parse is not). */
function ownProject(claims: TokenClaims, name: string): boolean {
  const parsed = parseConversationName(name);
  return parsed !== undefined && tokenOpensProject(claims, parsed.project);
}

function otherProject(res: Response, log: Logger, claims: TokenClaims, method: string, name: string): void {
  log.warn('conversation name of another project refused', {
    method,
    user: claims.gcp_agent_assist_user,
    tokenProject: claims.gcp_agent_assist_project,
    conversationProject: parseConversationName(name)?.project,
  });
  res.status(403).json({ error: OTHER_PROJECT_REASON });
}

/** Builds the handler; `deps` is resolved on each request (lazily, once, by the caller). */
export function createConversationNameHandler(deps: () => Promise<ConversationNameDeps>) {
  return async (req: Request, res: Response): Promise<void> => {
    if (!allowMethods(req, res, ALLOWED)) return;
    const resolved = await resolveDeps(deps, res);
    if (!resolved) return;
    const { store, log } = resolved;
    const claims = requireToken(req, res, resolved.jwt);
    if (!claims) return;

    try {
      if (req.method === 'POST') {
        const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
        const key = keyOf(body.conversationIntegrationKey);
        const name = body.conversationName;
        if (key === undefined || typeof name !== 'string' || !parseConversationName(name)) return badRequest(res);
        if (!ownProject(claims, name)) return otherProject(res, log, claims, 'POST', name);
        await store.set(key, name);
        log.info('conversation name set', { keyHash: hashIntegrationKey(key).slice(0, 12), conversation: name });
        res.status(200).json({ [key]: name });
        return;
      }
      const key = keyOf(req.query?.conversationIntegrationKey);
      if (key === undefined) return badRequest(res);
      if (req.method === 'GET') {
        // Polled every second per call: no log line at INFO, one store read.
        const name = await store.get(key);
        if (name !== undefined && !ownProject(claims, name)) return otherProject(res, log, claims, 'GET', name);
        res.status(200).json({ conversationName: name ?? '' });
        return;
      }
      const existing = await store.get(key);
      if (existing !== undefined && !ownProject(claims, existing)) return otherProject(res, log, claims, 'DELETE', existing);
      const deleted = existing !== undefined && (await store.delete(key));
      log.info('conversation name deleted', { keyHash: hashIntegrationKey(key).slice(0, 12), found: deleted });
      res.status(deleted ? 200 : 404).type('text/plain').send(deleted ? 'Success' : 'Not found');
    } catch (error) {
      if (!(error instanceof UnavailableError)) throw error;
      log.warn('conversation-name store unavailable', { method: req.method, error: error.message });
      res.status(503).json({ error: 'store unavailable, retry later' });
    }
  };
}
