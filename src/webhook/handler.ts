/**
 * The HTTP edge of the fulfillment webhook, the same on Cloud Functions, the relay and the local stack:
 * - 405 for anything but POST; 401 when the configured authentication fails, 403 for a valid Google ID
 *   token of another account;
 * - 400 with a reason when the body is not a WebhookRequest;
 * - 200 with the WebhookResponse: the handler's, the fallback's (unknown intent, or the deadline passed),
 *   or, for a retried `responseId`, the answer already sent (the handler does not run again);
 * - 500 `{"error":"internal error"}` when a handler throws or its response is over 64 KiB (Dialogflow then
 *   uses the intent's own responses); details go to the ERROR log, never to the caller.
 * Logs carry identifiers (responseId, intent display name), never the conversation's text.
 */
import { UnavailableError } from '../errors';
import { traceFields, type Logger } from '../log';
import { increment } from '../metrics/counters';
import type { WebhookAuthenticator } from './auth';
import { answerKey, type ResponseCache } from './cache';
import type { IntentMap } from './intent-map';
import type { WebhookPublisher } from './publish';
import { parseWebhookRequest } from './request';
import { runIntentMap } from './run';
import type { ApiVersion, WebhookRequest } from './types';
import type { Handler } from '../http/handler';
import { allowMethods, answerError, resolveDeps } from '../http/edge';

export interface WebhookDeps {
  readonly map: IntentMap;
  readonly authenticate: WebhookAuthenticator;
  readonly cache: ResponseCache;
  /** Deadline for every caller but Google Assistant. */
  readonly deadlineMs: number;
  /** Deadline for the Google Assistant integration (`originalDetectIntentRequest.source` `google`). */
  readonly assistantDeadlineMs?: number;
  /** The agent's API version: what every answer must parse as. */
  readonly apiVersion?: ApiVersion;
  /** Helpers already warned about as needing v2beta1 (one WARNING per helper and process). */
  readonly warned?: Set<string>;
  readonly log: Logger;
  /** Publishes handlers' events to desktops; undefined when no broker is configured. */
  readonly publisher?: WebhookPublisher;
  /** Sends `WWW-Authenticate: Basic` with a 401 (basic mode). */
  readonly basicRealm?: string;
  readonly projectId?: string;
}

/** The handler type, under the name this module's callers know. */
export type HttpHandler = Handler;

interface Answer {
  readonly status: number;
  readonly json: string;
}

const INTERNAL_ERROR = JSON.stringify({ error: 'internal error' });

/**
 * Longest wait for the idempotency store, per command. A healthy Redis answers in milliseconds; a Redis
 * that is away (or still connecting after a cold start) must not eat Dialogflow's 5 seconds.
 */
export const STORE_WAIT_MS = 300;

/** `promise`, or an UnavailableError once `ms` have passed. */
function bounded<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new UnavailableError(`store did not answer within ${ms} ms`)), ms);
  });
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Builds the handler; `deps` is resolved on each request (lazily, once). */
export function createWebhookHandler(deps: () => Promise<WebhookDeps>): HttpHandler {
  // Tries in flight in this process by responseId: a retry arriving during the first try shares its answer.
  const inFlight = new Map<string, Promise<Answer>>();

  return async (req, res) => {
    const resolved = await resolveDeps(deps, res);
    if (!resolved) return;
    const log = resolved.log.child(traceFields(req.headers['x-cloud-trace-context'], resolved.projectId));
    if (!allowMethods(req, res, ['POST'])) return;
    let auth: Awaited<ReturnType<WebhookDeps['authenticate']>>;
    try {
      auth = await resolved.authenticate(req.headers);
    } catch (error) {
      if (!(error instanceof UnavailableError)) throw error;
      // Google's signing certificates could not be fetched: an outage, not a caller that failed to authenticate.
      log.warn('webhook authentication unavailable: signing certificates could not be fetched');
      answerError(res, error, 'authentication unavailable, retry later');
      return;
    }
    if (!auth.ok) {
      log.warn('webhook authentication failed', { reason: auth.reason });
      increment('webhook_requests_total', { outcome: auth.status === 403 ? 'forbidden' : 'unauthenticated' });
      if (auth.status === 403) {
        res.status(403).json({ error: 'forbidden' });
        return;
      }
      if (resolved.basicRealm) res.set('WWW-Authenticate', `Basic realm="${resolved.basicRealm}"`);
      res.status(401).json({ error: 'unauthenticated' });
      return;
    }
    const parsed = parseWebhookRequest(req.body);
    if (!parsed.ok) {
      log.warn('malformed webhook request', { reason: parsed.reason });
      increment('webhook_requests_total', { outcome: 'malformed' });
      res.status(400).json({ error: parsed.reason });
      return;
    }
    const { request } = parsed;
    const key = answerKey(request);
    let answer = inFlight.get(key);
    if (!answer) {
      const reqLog = log.child({ responseId: request.responseId, intent: request.queryResult.intent?.displayName ?? '' });
      answer = respond(request, key, resolved, reqLog).finally(() => inFlight.delete(key));
      inFlight.set(key, answer);
    } else {
      increment('webhook_requests_total', { outcome: 'replayed' });
    }
    const { status, json } = await answer;
    res.status(status).type('application/json').send(json);
  };
}

/** The deadline for the request's caller: Google Assistant waits 10 s, everything else 5 s. */
function deadlineFor(request: WebhookRequest, deps: WebhookDeps): number {
  const assistant = (request.originalDetectIntentRequest?.source ?? '').toLowerCase() === 'google';
  return assistant && deps.assistantDeadlineMs !== undefined ? deps.assistantDeadlineMs : deps.deadlineMs;
}

async function respond(request: WebhookRequest, key: string, deps: WebhookDeps, log: Logger): Promise<Answer> {
  const { cache } = deps;
  const started = Date.now();
  try {
    const cached = await bounded(cache.get(key), STORE_WAIT_MS);
    if (cached !== undefined) {
      log.info('webhook retry answered from the idempotency store');
      increment('webhook_requests_total', { outcome: 'replayed' });
      return { status: 200, json: cached };
    }
  } catch (error) {
    // An answer in time beats deduplication: run the handler (a retry during the outage may run it again).
    log.warn('idempotency store unavailable; answering without it', { error: describe(error) });
  }

  // The deadline counts from the request's arrival, so time spent on the store comes out of it.
  const deadlineMs = Math.max(1, deadlineFor(request, deps) - (Date.now() - started));
  const outcome = await runIntentMap(request, {
    map: deps.map,
    deadlineMs,
    log,
    publisher: deps.publisher,
    apiVersion: deps.apiVersion,
    warned: deps.warned,
  });
  increment('webhook_requests_total', { outcome: outcome.kind });
  if (!('json' in outcome)) return { status: 500, json: INTERNAL_ERROR };

  try {
    await bounded(cache.set(key, outcome.json), STORE_WAIT_MS);
  } catch (error) {
    log.warn('answer not stored for retries; idempotency store unavailable', { error: describe(error) });
  }
  log.debug('webhook answered', { outcome: outcome.kind, ms: Date.now() - started });
  return { status: 200, json: outcome.json };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
