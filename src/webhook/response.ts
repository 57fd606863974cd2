/**
 * Builds a WebhookResponse. Every helper produces the JSON Dialogflow documents for it; the builder keeps
 * the session's contexts so a handler names them by short name and the full names are built for it, and
 * `serialize()` refuses a response Dialogflow would refuse (over 64 KiB) instead of sending it.
 */
import { PAYLOAD_KEYS, shortContextName } from './request';
import {
  MAX_RESPONSE_BYTES,
  isPlatform,
  type CardButton,
  type Context,
  type Entity,
  type JsonObject,
  type Message,
  type Platform,
  type SessionEntityType,
  type WebhookResponse,
} from './types';

/** The response is larger than Dialogflow accepts; it is never sent. */
export class ResponseTooLargeError extends Error {
  constructor(readonly bytes: number) {
    super(`webhook response is ${bytes} bytes; Dialogflow accepts at most ${MAX_RESPONSE_BYTES}`);
    this.name = 'ResponseTooLargeError';
  }
}

/** Options shared by the rich-message helpers. */
export interface MessageOptions {
  /** Send the message to one platform's integration only (default: every platform). */
  readonly platform?: Platform;
}

export interface CardOptions extends MessageOptions {
  readonly title?: string;
  readonly subtitle?: string;
  readonly imageUri?: string;
  readonly buttons?: readonly CardButton[];
}

/** Dialogflow's default lifespan of a context set without one. */
const DEFAULT_LIFESPAN = 5;

export class ResponseBuilder {
  private readonly messages: Message[] = [];
  private readonly texts_: string[] = [];
  private readonly contexts = new Map<string, Context>();
  private contextsChanged = false;
  private readonly response: WebhookResponse = {};

  constructor(
    /** The request's session: context and entity-type names are built from it. */
    readonly session: string,
    /** The request's language, used for follow-up events. */
    readonly languageCode: string,
    active: readonly Context[] = [],
  ) {
    for (const context of active) this.contexts.set(shortContextName(context.name), { ...context });
  }

  /** One text message (also joined into `fulfillmentText`, which API callers read). */
  text(text: string, options: MessageOptions = {}): this {
    this.push({ text: { text: [text] } }, options);
    if (!options.platform) this.texts_.push(text);
    return this;
  }

  /** Several text messages, one per string, in order. */
  texts(lines: readonly string[], options: MessageOptions = {}): this {
    for (const line of lines) this.text(line, options);
    return this;
  }

  card(options: CardOptions): this {
    const { title, subtitle, imageUri, buttons } = options;
    return this.push({ card: { title, subtitle, imageUri, buttons: buttons?.map((b) => ({ ...b })) } }, options);
  }

  quickReplies(replies: readonly string[], options: MessageOptions & { readonly title?: string } = {}): this {
    return this.push({ quickReplies: { title: options.title, quickReplies: [...replies] } }, options);
  }

  image(imageUri: string, options: MessageOptions & { readonly accessibilityText?: string } = {}): this {
    return this.push({ image: { imageUri, accessibilityText: options.accessibilityText } }, options);
  }

  /**
   * A custom payload for one platform. Actions on Google reads the response's top-level `payload.google`;
   * the other built-in integrations read a payload message nested under their key (`{"facebook": …}`);
   * TELEPHONY, PLATFORM_UNSPECIFIED and any platform Dialogflow does not name (a custom integration, Agent
   * Assist) get the payload verbatim in a payload message (an unknown platform name is not sent, since
   * Dialogflow rejects enum values it does not know).
   */
  payload(content: JsonObject, platform: Platform | string = 'PLATFORM_UNSPECIFIED'): this {
    const copy = structuredClone(content);
    if (platform === 'ACTIONS_ON_GOOGLE') return this.webhookPayload({ google: copy });
    const key = isPlatform(platform) ? PAYLOAD_KEYS[platform] : undefined;
    if (key) return this.push({ payload: { [key]: copy } }, { platform: platform as Platform });
    const known = platform === 'TELEPHONY' ? { platform: 'TELEPHONY' as const } : {};
    return this.push({ payload: copy }, known);
  }

  /** Merges keys into the response's top-level `payload` (`queryResult.webhookPayload` for API callers). */
  webhookPayload(content: JsonObject): this {
    this.response.payload = { ...this.response.payload, ...structuredClone(content) };
    return this;
  }

  /** v2beta1 telephony: play an audio file (phone gateway). */
  telephonyPlayAudio(audioUri: string): this {
    return this.push({ telephonyPlayAudio: { audioUri } }, { platform: 'TELEPHONY' });
  }

  /** v2beta1 telephony: speak text or SSML. */
  telephonySynthesizeSpeech(speech: { text: string } | { ssml: string }): this {
    return this.push({ telephonySynthesizeSpeech: { ...speech } }, { platform: 'TELEPHONY' });
  }

  /** v2beta1 telephony: transfer the call to a phone number (E.164). */
  telephonyTransferCall(phoneNumber: string): this {
    return this.push({ telephonyTransferCall: { phoneNumber } }, { platform: 'TELEPHONY' });
  }

  /** Sets (or replaces) a context by short name; lifespan defaults to Dialogflow's 5 turns. */
  setContext(name: string, options: { readonly lifespan?: number; readonly parameters?: JsonObject } = {}): this {
    const short = name.toLowerCase();
    const context: Context = { name: `${this.session}/contexts/${short}`, lifespanCount: options.lifespan ?? DEFAULT_LIFESPAN };
    if (options.parameters) context.parameters = structuredClone(options.parameters);
    this.contexts.set(short, context);
    this.contextsChanged = true;
    return this;
  }

  /** Changes the lifespan of an active context, keeping its parameters; throws when it is not active. */
  updateLifespan(name: string, lifespan: number): this {
    const context = this.contexts.get(name.toLowerCase());
    if (!context) throw new Error(`context "${name}" is not active`);
    context.lifespanCount = lifespan;
    this.contextsChanged = true;
    return this;
  }

  /** Ends a context (lifespan 0); a context that is not active is deleted all the same. */
  deleteContext(name: string): this {
    const short = name.toLowerCase();
    this.contexts.set(short, { name: `${this.session}/contexts/${short}`, lifespanCount: 0 });
    this.contextsChanged = true;
    return this;
  }

  /** Triggers an event (Dialogflow then ignores this response's messages and payload). */
  followupEvent(name: string, parameters?: JsonObject, languageCode = this.languageCode): this {
    this.response.followupEventInput = { name, languageCode, ...(parameters ? { parameters: structuredClone(parameters) } : {}) };
    return this;
  }

  /** Overrides (or, with `supplement`, extends) a developer entity type for this session. */
  sessionEntityType(entityType: string, entities: readonly Entity[], mode: 'override' | 'supplement' = 'override'): this {
    const entry: SessionEntityType = {
      name: `${this.session}/entityTypes/${entityType}`,
      entityOverrideMode: mode === 'override' ? 'ENTITY_OVERRIDE_MODE_OVERRIDE' : 'ENTITY_OVERRIDE_MODE_SUPPLEMENT',
      entities: entities.map((e) => ({ value: e.value, synonyms: [...e.synonyms] })),
    };
    this.response.sessionEntityTypes = [...(this.response.sessionEntityTypes ?? []), entry];
    return this;
  }

  /** v2beta1: hand the conversation to a human agent (Agent Assist / the telephony partner acts on it). */
  liveAgentHandoff(): this {
    this.response.liveAgentHandoff = true;
    return this;
  }

  /** v2beta1: this response ends the interaction. */
  endInteraction(): this {
    this.response.endInteraction = true;
    return this;
  }

  /** The response as Dialogflow will receive it. */
  toResponse(): WebhookResponse {
    const response: WebhookResponse = { ...this.response };
    if (this.texts_.length > 0) response.fulfillmentText = this.texts_.join('\n');
    if (this.messages.length > 0) response.fulfillmentMessages = this.messages;
    if (this.contextsChanged) response.outputContexts = [...this.contexts.values()];
    return response;
  }

  /** The response's JSON; throws ResponseTooLargeError over Dialogflow's 64 KiB limit. */
  serialize(): string {
    const json = JSON.stringify(this.toResponse());
    const bytes = Buffer.byteLength(json);
    if (bytes > MAX_RESPONSE_BYTES) throw new ResponseTooLargeError(bytes);
    return json;
  }

  private push(message: Message, options: MessageOptions): this {
    this.messages.push(options.platform ? { ...message, platform: options.platform } : message);
    return this;
  }
}
