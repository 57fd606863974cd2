/**
 * Runs inline-editor code written against the unmaintained `dialogflow-fulfillment` library with only
 * its `require` lines changed (docs/webhook.md, "Moving inline-editor code"): `WebhookClient`, the rich
 * responses, `agent.context`, `handleRequest(Map | function)`, and `https.onRequest` in place of
 * `firebase-functions`. It rides on the typed module: one response builder (answers valid for
 * `WEBHOOK_API_VERSION`), one deadline, one idempotency store, the same authentication and logging.
 * `conv()` (actions-on-google) is not supported and says so.
 */
import type { WebhookAgent } from './agent';
import { Contexts, type FulfillmentContext } from './fulfillment-contexts';
import { consoleMessages, render } from './fulfillment-render';
import { Card, Image, Payload, PLATFORMS, RichResponse, SOURCE_PLATFORMS, Suggestion, Text } from './fulfillment-responses';
import { webhookFunction } from '../app/functions/webhook';
import type { HttpHandler } from './handler';
import { defineIntentMap, type IntentMap } from './intent-map';
import type { JsonObject, OriginalDetectIntentRequest, QueryResult, WebhookRequest } from './types';

export { Card, Image, Payload, PLATFORMS, RichResponse, Suggestion, Text };
export type { FulfillmentContext };

/** What `onRequest`'s callback receives as `request`: the parsed WebhookRequest as `body`. */
export interface FulfillmentRequest {
  readonly method: 'POST';
  readonly body: WebhookRequest;
  /** Empty: credentials are checked before the callback runs, and headers are not for logging. */
  readonly headers: Readonly<Record<string, string>>;
}

const RUN = Symbol('fulfillment run');

/** What `onRequest`'s callback receives as `response`: answer through a `WebhookClient`, never directly. */
export interface FulfillmentResponse {
  readonly [RUN]: Run;
  status(code: number): FulfillmentResponse;
  send(body?: unknown): never;
  json(body?: unknown): never;
}

/** One request's run: the typed agent, and the `handleRequest` the callback started. */
interface Run {
  readonly agent: WebhookAgent;
  handled?: Promise<void>;
}

type Handler = (agent: WebhookClient) => unknown;

/** A callback as the inline editor wrote it: `(request, response) => { … agent.handleRequest(map) }`. */
export type FulfillmentCallback = (request: FulfillmentRequest, response: FulfillmentResponse) => unknown;

function answerDirectly(): never {
  throw new Error('dialogflow fulfillment: answer through WebhookClient (agent.add, agent.handleRequest); writing the response directly is not supported');
}

export class WebhookClient {
  readonly agentVersion = 2;
  readonly UNSPECIFIED = PLATFORMS.UNSPECIFIED;
  readonly FACEBOOK = PLATFORMS.FACEBOOK;
  readonly SLACK = PLATFORMS.SLACK;
  readonly TELEGRAM = PLATFORMS.TELEGRAM;
  readonly KIK = PLATFORMS.KIK;
  readonly SKYPE = PLATFORMS.SKYPE;
  readonly LINE = PLATFORMS.LINE;
  readonly VIBER = PLATFORMS.VIBER;
  readonly ACTIONS_ON_GOOGLE = PLATFORMS.ACTIONS_ON_GOOGLE;
  /** The matched intent's display name. */
  readonly intent: string;
  readonly action: string | null;
  readonly parameters: JsonObject;
  /** The request's contexts, `{name, lifespan, parameters}` (deprecated in the library: use `context`). */
  readonly contexts: FulfillmentContext[];
  readonly context: Contexts;
  /** The source platform as the library named it (`ACTIONS_ON_GOOGLE`, `FACEBOOK`, …), the raw source otherwise, or null. */
  readonly requestSource: string | null;
  readonly originalRequest: OriginalDetectIntentRequest | undefined;
  /** What the user said (conversation text: never log it). */
  readonly query: string;
  readonly locale: string;
  readonly session: string;
  /** The intent's responses from the console, as rich responses (`agent.add(agent.consoleMessages)` forwards them). */
  readonly consoleMessages: RichResponse[];
  readonly alternativeQueryResults: QueryResult[] | undefined;
  private readonly run: Run;
  private readonly messages: RichResponse[] = [];
  private followup?: { name: string; parameters?: JsonObject; languageCode?: string };
  private ending = false;

  constructor(options: { request: FulfillmentRequest; response: FulfillmentResponse }) {
    if (!options?.request) throw new Error('Request can NOT be empty.');
    if (!options.response) throw new Error('Response can NOT be empty.');
    const run = options.response[RUN];
    if (!run) throw new Error('WebhookClient runs inside https.onRequest of this module (see docs/webhook.md, "Moving inline-editor code")');
    this.run = run;
    const { request } = run.agent;
    const result = request.queryResult;
    this.intent = run.agent.intent;
    this.action = result.action || null;
    this.parameters = structuredClone(result.parameters ?? {});
    this.context = new Contexts(result.outputContexts ?? [], run.agent);
    this.contexts = [...this.context].map((c) => ({ ...c }));
    const original = request.originalDetectIntentRequest;
    const source = original?.source || (typeof original?.payload?.source === 'string' ? original.payload.source : '') || null;
    this.requestSource = source === null ? null : (SOURCE_PLATFORMS[source] ?? source);
    this.originalRequest = original;
    this.query = result.queryText ?? '';
    this.locale = result.languageCode ?? 'en';
    this.session = request.session;
    this.consoleMessages = consoleMessages(result.fulfillmentMessages);
    this.alternativeQueryResults = request.alternativeQueryResults;
  }

  /** Adds a response: a string, a rich response, or a list of them. */
  add(responses: string | RichResponse | ReadonlyArray<string | RichResponse>): void {
    if (Array.isArray(responses)) for (const response of responses as ReadonlyArray<string | RichResponse>) this.addOne(response);
    else this.addOne(responses as string | RichResponse);
  }

  /** Adds responses and ends the interaction (`endInteraction`, v2beta1; left out with a WARNING on v2). */
  end(responses?: string | RichResponse | ReadonlyArray<string | RichResponse>): void {
    this.ending = true;
    if (responses !== undefined) this.add(responses);
  }

  /** Triggers an event: `setFollowupEvent('NAME')` or `setFollowupEvent({name, parameters, languageCode})`. */
  setFollowupEvent(event: string | { name: string; parameters?: JsonObject; languageCode?: string }): void {
    if (typeof event === 'string') event = { name: event };
    else if (!event || typeof event.name !== 'string' || !event.name) throw new Error('Followup event must be a string or have a name string');
    this.followup = event;
  }

  /** @deprecated in the library: `context.set`. */
  setContext(context: string | FulfillmentContext): this {
    if (typeof context === 'string') this.context.set(context);
    else this.context.set(context.name, context.lifespan, context.parameters);
    return this;
  }

  /** @deprecated in the library: `context.get`. Null when the context is not active. */
  getContext(name: string): FulfillmentContext | null {
    const context = this.context.get(name);
    return context ? { name, lifespan: context.lifespan, parameters: context.parameters } : null;
  }

  /** @deprecated in the library: leaves a context out of the answer. */
  clearContext(name: string): this {
    this.context.removeOutgoing(name);
    return this;
  }

  /** @deprecated in the library: leaves every context out of the answer. */
  clearOutgoingContexts(): this {
    for (const context of [...this.context]) this.context.removeOutgoing(context.name);
    return this;
  }

  /** Not supported: actions-on-google's conversation object. */
  conv(): never {
    throw new Error('agent.conv() (actions-on-google) is not supported by this module: build Assistant answers with add(), Card, Suggestion and Payload(agent.ACTIONS_ON_GOOGLE, …)');
  }

  /**
   * Runs the handler for the matched intent: `handleRequest(map)` with intent display names as keys and
   * `map.get(null)` as the fallback, or `handleRequest(fn)` for every intent. An intent with no handler
   * answers `{}`: Dialogflow sends the intent's own responses.
   */
  handleRequest(handler: Map<string | null, Handler> | Handler): Promise<void> {
    let chosen: Handler | undefined;
    if (typeof handler === 'function') chosen = handler;
    else if (handler instanceof Map) chosen = handler.get(this.intent) ?? handler.get(null);
    else throw new TypeError('handleRequest argument must be a function or map of intent names to functions');
    if (!chosen) this.run.agent.log.warn('no fulfillment handler for intent; the intent\'s own responses answer', { intent: this.intent });
    const run = chosen;
    // The handler starts at once, as in the library; a throw or a rejection fails the answer (500).
    const done = new Promise<unknown>((resolve) => resolve(run?.(this))).then(() => this.send());
    this.run.handled = done;
    return done;
  }

  private addOne(response: string | RichResponse): void {
    if (typeof response === 'string') response = new Text(response);
    if (response instanceof Suggestion) {
      const same = this.messages.find((m): m is Suggestion => m instanceof Suggestion && (m.platform ?? PLATFORMS.UNSPECIFIED) === (response.platform ?? PLATFORMS.UNSPECIFIED));
      if (same) return void same.replies.push(...response.replies);
    }
    if (response instanceof Payload && this.messages.some((m) => m instanceof Payload && m.platform === response.platform)) {
      throw new Error(`Payload response for ${String(response.platform)} already defined.`);
    }
    if (!(response instanceof RichResponse)) throw new Error(`Unknown response type: "${JSON.stringify(response)}"`);
    this.messages.push(response);
  }

  private send(): void {
    const { agent } = this.run;
    render(agent, this.messages, this.requestSource);
    if (this.followup) agent.followupEvent(this.followup.name, this.followup.parameters, this.followup.languageCode ?? this.locale);
    if (this.ending) agent.endInteraction();
  }
}

/** Runs one callback for one request on the typed agent. */
async function runCallback(callback: FulfillmentCallback, agent: WebhookAgent): Promise<void> {
  const run: Run = { agent };
  const response: FulfillmentResponse = { [RUN]: run, status: () => response, send: answerDirectly, json: answerDirectly };
  await callback({ method: 'POST', body: agent.request, headers: {} }, response);
  if (run.handled) await run.handled;
  else agent.log.warn('fulfillment callback did not call handleRequest; the intent\'s own responses answer', { intent: agent.intent });
}

/**
 * The intent map a callback makes: every intent runs the callback; past the deadline nothing is added,
 * so the answer is `{}` and Dialogflow sends the intent's own responses.
 */
export function fulfillmentIntentMap(callback: FulfillmentCallback): IntentMap {
  return defineIntentMap({
    intents: {},
    any: (agent) => runCallback(callback, agent),
    fallback: (agent) => {
      if (!agent.timedOut) return runCallback(callback, agent);
    },
  });
}

/** A deployable handler for a callback, with its intent map (tests and custom wiring use it). */
export type FulfillmentFunction = HttpHandler & { readonly intentMap: IntentMap };

/** The webhook function of an inline-editor callback: configured from the environment like `dialogflowWebhook`. */
export function onRequest(callback: FulfillmentCallback): FulfillmentFunction {
  const map = fulfillmentIntentMap(callback);
  return Object.assign(webhookFunction(map), { intentMap: map });
}

/** In place of `firebase-functions`: `functions.https.onRequest((request, response) => { … })`. */
export const https = { onRequest } as const;
