/**
 * What a developer writes: a map from intent display names to async handlers (several names may share
 * one handler), and a fallback for any intent the map does not name. A handler reads the request from
 * the agent and writes the response with its helpers; it returns nothing.
 */
import type { WebhookAgent } from './agent';

/** Handles one matched intent. It may be async; what it returns is ignored. */
export type IntentHandler = (agent: WebhookAgent) => void | Promise<void>;

export interface IntentMap {
  /** Display name → handler (display names are matched exactly, as Dialogflow sends them). */
  readonly intents: Readonly<Record<string, IntentHandler>>;
  /**
   * Runs for an intent the map does not name, and when a handler runs past the deadline (then with
   * `agent.timedOut` true, on a fresh agent: what the late handler wrote is discarded).
   */
  readonly fallback: IntentHandler;
  /**
   * Runs for every intent instead of the map (a handler that routes by itself, as the inline-editor
   * compatibility module does); the fallback then answers only past the deadline.
   */
  readonly any?: IntentHandler;
}

/** Checks a map once, at definition: a missing handler is a deployment mistake, not a request's. */
export function defineIntentMap(map: IntentMap): IntentMap {
  for (const [name, handler] of Object.entries(map.intents)) {
    if (name.trim() === '') throw new TypeError('intent map: an intent display name is empty');
    if (typeof handler !== 'function') throw new TypeError(`intent map: the handler of "${name}" is not a function`);
  }
  if (typeof map.fallback !== 'function') throw new TypeError('intent map: the fallback is not a function');
  if (map.any !== undefined && typeof map.any !== 'function') throw new TypeError('intent map: the handler for any intent is not a function');
  return Object.freeze({ intents: Object.freeze({ ...map.intents }), fallback: map.fallback, ...(map.any ? { any: map.any } : {}) });
}

/** The handler for an intent display name, or the fallback (an own property only: never `toString`). */
export function handlerFor(map: IntentMap, intent: string): { readonly handler: IntentHandler; readonly matched: boolean } {
  if (map.any) return { handler: map.any, matched: true };
  const handler = Object.prototype.hasOwnProperty.call(map.intents, intent) ? map.intents[intent] : undefined;
  return handler ? { handler, matched: true } : { handler: map.fallback, matched: false };
}
