/**
 * What an intent handler receives: the request, read (query text, parameters, contexts by short name,
 * the original detect-intent payload and its platform, language), and the response builder it writes to.
 */
import type { Logger } from '../log';
import type { WebhookPublisher, WebhookEvent } from './publish';
import { parseSession, shortContextName, sourcePlatform } from './request';
import { ResponseBuilder } from './response';
import type { ApiVersion, Context, JsonObject, JsonValue, Platform, WebhookRequest } from './types';

/** How an agent is set up beyond the request. */
export interface AgentOptions {
  /** True when the deadline passed and this agent answers for the fallback. */
  readonly timedOut?: boolean;
  /** The agent's API version (`WEBHOOK_API_VERSION`, default v2). */
  readonly apiVersion?: ApiVersion;
  /**
   * Helpers already reported as needing v2beta1, shared by every request of the process, so the WARNING
   * is logged once per helper and process rather than on every answer.
   */
  readonly warned?: Set<string>;
}

/** An active context, read by short name. */
export interface ActiveContext {
  /** Short name, lowercased (`order-followup`). */
  readonly name: string;
  /** `<session>/contexts/<name>`. */
  readonly fullName: string;
  readonly lifespanCount: number;
  readonly parameters: Readonly<JsonObject>;
}

export class WebhookAgent extends ResponseBuilder {
  /** The matched intent's display name (empty when Dialogflow sent none). */
  readonly intent: string;
  readonly action: string;
  /** What the end user said (conversation text: never log it). */
  readonly query: string;
  readonly parameters: Readonly<JsonObject>;
  /** The platform the request came from (PLATFORM_UNSPECIFIED for the API, Agent Assist, custom). */
  readonly platform: Platform;
  /** `originalDetectIntentRequest.source` as sent (`google`, `facebook`, …), empty when absent. */
  readonly source: string;
  /** `originalDetectIntentRequest.payload` (`QueryParameters.payload` of the detect-intent call). */
  readonly originalPayload: Readonly<JsonObject>;
  /** True when the deadline passed and this agent answers for the fallback. */
  readonly timedOut: boolean;
  private readonly active: ReadonlyMap<string, Context>;
  private closed = false;
  private published = 0;

  constructor(
    readonly request: WebhookRequest,
    /** A logger for the handler: identifiers only, never conversation text. */
    readonly log: Logger,
    private readonly publisher?: WebhookPublisher,
    options: AgentOptions = {},
  ) {
    const result = request.queryResult;
    const warned = options.warned ?? new Set<string>();
    const apiVersion = options.apiVersion ?? 'v2';
    super(request.session, result.languageCode ?? 'en', result.outputContexts ?? [], {
      apiVersion,
      onUnsupported: (helper) => {
        if (warned.has(helper)) return;
        warned.add(helper);
        log.warn('webhook helper needs the v2beta1 API; left out of the answer', { helper, setting: 'WEBHOOK_API_VERSION', apiVersion });
      },
    });
    this.intent = result.intent?.displayName ?? '';
    this.action = result.action ?? '';
    this.query = result.queryText ?? '';
    this.parameters = result.parameters ?? {};
    const original = request.originalDetectIntentRequest ?? {};
    this.source = original.source ?? '';
    this.originalPayload = original.payload ?? {};
    this.platform = sourcePlatform(original.source, original.payload);
    this.timedOut = options.timedOut ?? false;
    this.active = new Map((result.outputContexts ?? []).map((c) => [shortContextName(c.name), c]));
  }

  /** The request's language code (`en`, `fr-CA`). */
  get language(): string {
    return this.languageCode;
  }

  /** The session id (last segment of the session name). */
  get sessionId(): string {
    return parseSession(this.session)?.sessionId ?? '';
  }

  /** A parameter's value, or undefined. */
  parameter(name: string): JsonValue | undefined {
    return this.parameters[name];
  }

  /** An active context of the request by short name (case-insensitive), or undefined. */
  context(name: string): ActiveContext | undefined {
    const context = this.active.get(name.toLowerCase());
    if (!context) return undefined;
    return {
      name: shortContextName(context.name),
      fullName: context.name,
      lifespanCount: context.lifespanCount ?? 0,
      parameters: context.parameters ?? {},
    };
  }

  /** Every active context of the request. */
  activeContexts(): ActiveContext[] {
    return [...this.active.keys()].map((name) => this.context(name)!);
  }

  /**
   * Publishes an event to the desktops in the conversation (see docs/webhook.md). Resolves true once
   * published (or already published by an earlier try of this request), false when no broker is
   * configured, the store is unavailable, or the deadline has passed; it never throws for those, so a
   * notice that cannot be delivered does not cost the caller its answer.
   */
  async publish(event: WebhookEvent = {}): Promise<boolean> {
    if (this.closed || !this.publisher) {
      this.log.warn('webhook event not published', { reason: this.closed ? 'deadline passed' : 'no broker configured' });
      return false;
    }
    return this.publisher.publish(this.request, event, this.published++);
  }

  /** Called by the router once the answer is decided: later publishes are refused. */
  close(): void {
    this.closed = true;
  }
}
