/**
 * Runs the intent map for one request, within the deadline. Domain outcomes only (no HTTP): the edge in
 * ./handler maps them to statuses.
 * - The matched handler (or the fallback for an unknown intent) writes to an agent; its response is
 *   serialized, which refuses one over 64 KiB (`too-large`).
 * - A handler still running at the deadline is abandoned: the fallback runs on a fresh agent with
 *   `timedOut` set and a short grace; if the fallback too fails or overruns, the answer is `{}`, which makes
 *   Dialogflow use the intent's own responses. Dialogflow gets an answer in time either way.
 * - A handler that throws is an `error`: nothing of it reaches the caller.
 */
import type { Logger } from '../log';
import { WebhookAgent } from './agent';
import { handlerFor, type IntentHandler, type IntentMap } from './intent-map';
import type { WebhookPublisher } from './publish';
import { ResponseTooLargeError } from './response';
import type { ApiVersion, WebhookRequest } from './types';

/** Time the fallback has once the deadline has passed. */
export const FALLBACK_GRACE_MS = 250;

export type RunOutcome =
  | { readonly kind: 'answered' | 'fallback' | 'deadline'; readonly json: string }
  | { readonly kind: 'error' | 'too-large' };

export interface RunOptions {
  readonly map: IntentMap;
  readonly deadlineMs: number;
  readonly log: Logger;
  readonly publisher?: WebhookPublisher;
  /** The agent's API version (default v2). */
  readonly apiVersion?: ApiVersion;
  /** Helpers already warned about as needing v2beta1, shared across requests. */
  readonly warned?: Set<string>;
}

const LATE = Symbol('late');

/** Runs `handler` on `agent`; resolves LATE after `ms` if it has not finished (the timer never leaks). */
async function within(handler: IntentHandler, agent: WebhookAgent, ms: number): Promise<void | typeof LATE> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof LATE>((resolve) => (timer = setTimeout(() => resolve(LATE), ms)));
  const run = Promise.resolve().then(() => handler(agent));
  try {
    return await Promise.race([run, late]);
  } finally {
    clearTimeout(timer);
    agent.close();
    // An abandoned handler may still fail later; that must not become an unhandled rejection.
    run.catch(() => undefined);
  }
}

/** The response's JSON, or the outcome that replaces it: too large, or not serializable (a BigInt, a cycle). */
function serialize(agent: WebhookAgent, log: Logger): string | RunOutcome {
  try {
    return agent.serialize();
  } catch (error) {
    if (error instanceof ResponseTooLargeError) {
      log.error('webhook response too large; not sent', { bytes: error.bytes, intent: agent.intent });
      return { kind: 'too-large' };
    }
    log.error('webhook response not serializable; not sent', { intent: agent.intent, error });
    return { kind: 'error' };
  }
}

export async function runIntentMap(request: WebhookRequest, options: RunOptions): Promise<RunOutcome> {
  const { map, deadlineMs, log, publisher, apiVersion } = options;
  const warned = options.warned ?? new Set<string>();
  const agent = new WebhookAgent(request, log, publisher, { apiVersion, warned });
  const { handler, matched } = handlerFor(map, agent.intent);
  if (!matched) log.info('no handler for intent; fallback answers', { intent: agent.intent });
  let result: void | typeof LATE;
  try {
    result = await within(handler, agent, deadlineMs);
  } catch (error) {
    log.error('intent handler failed', { intent: agent.intent, error });
    return { kind: 'error' };
  }
  if (result !== LATE) {
    const json = serialize(agent, log);
    return typeof json === 'string' ? { kind: matched ? 'answered' : 'fallback', json } : json;
  }

  log.warn('intent handler passed the deadline; fallback answers', { intent: agent.intent, deadlineMs });
  const standIn = new WebhookAgent(request, log, publisher, { timedOut: true, apiVersion, warned });
  try {
    if ((await within(map.fallback, standIn, FALLBACK_GRACE_MS)) !== LATE) {
      const json = serialize(standIn, log);
      if (typeof json === 'string') return { kind: 'deadline', json };
    } else {
      log.error('fallback passed its grace too; answering with the intent\'s own responses', { intent: agent.intent });
    }
  } catch (error) {
    log.error('fallback failed after the deadline', { intent: agent.intent, error });
  }
  return { kind: 'deadline', json: '{}' };
}
