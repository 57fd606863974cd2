/**
 * Builds a WebhookResponse valid for the agent's API version. Every helper produces the JSON Dialogflow
 * documents for it; the builder keeps the session's contexts so a handler names them by short name and the
 * full names are built for it, and `serialize()` refuses a response Dialogflow would refuse (over 64 KiB)
 * instead of sending it. On a v2 agent (the default API of an ES agent), the helpers that exist only in
 * v2beta1 (`liveAgentHandoff`, `endInteraction`, the telephony messages, the TELEPHONY platform) leave their
 * part out, since a v2 agent refuses the whole answer for an unknown field or enum value, and report it
 * through `onUnsupported`.
 */
import { OutputContexts } from './output-contexts';
import { PAYLOAD_KEYS } from './request';
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
  type ApiVersion,
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

/** `Intent.Message` fields v2 does not have (telephony and RCS Business Messaging). */
const V2BETA1_MESSAGES = /^(telephony|rbm)/;


/** How a builder is set up beyond the request. */
export interface BuilderOptions {
  /** The agent's API version (default v2): what the answer must parse as. */
  readonly apiVersion?: ApiVersion;
  /** Called with a helper's name when the API version has no field for it (its part is left out). */
  readonly onUnsupported?: (helper: string) => void;
}

export class ResponseBuilder {
  private readonly messages: Message[] = [];
  private readonly texts_: string[] = [];
  private readonly contexts: OutputContexts;
  private readonly response: WebhookResponse = {};
  private plainText?: string;
  /** The API version the answer is built for. */
  readonly apiVersion: ApiVersion;
  private readonly onUnsupported: (helper: string) => void;

  constructor(
    /** The request's session: context and entity-type names are built from it. */
    readonly session: string,
    /** The request's language, used for follow-up events. */
    readonly languageCode: string,
    active: readonly Context[] = [],
    options: BuilderOptions = {},
  ) {
    this.contexts = new OutputContexts(session, active);
    this.apiVersion = options.apiVersion ?? 'v2';
    this.onUnsupported = options.onUnsupported ?? (() => undefined);
  }

  /** One text message (also joined into `fulfillmentText`, which API callers read). */
  text(text: string, options: MessageOptions = {}): this {
    if (!this.push({ text: { text: [text] } }, options, 'text')) return this;
    if (!options.platform) this.texts_.push(text);
    return this;
  }

  /**
   * Sets `fulfillmentText` alone, without a message: integrations show it when the answer has no message
   * for them, API callers read it. Replaces the text `text()` would have joined there.
   */
  fulfillmentText(text: string): this {
    this.plainText = text;
    return this;
  }

  /** Several text messages, one per string, in order. */
  texts(lines: readonly string[], options: MessageOptions = {}): this {
    for (const line of lines) this.text(line, options);
    return this;
  }

  card(options: CardOptions): this {
    const { title, subtitle, imageUri, buttons } = options;
    this.push({ card: { title, subtitle, imageUri, buttons: buttons?.map((b) => ({ ...b })) } }, options, 'card');
    return this;
  }

  quickReplies(replies: readonly string[], options: MessageOptions & { readonly title?: string } = {}): this {
    this.push({ quickReplies: { title: options.title, quickReplies: [...replies] } }, options, 'quickReplies');
    return this;
  }

  image(imageUri: string, options: MessageOptions & { readonly accessibilityText?: string } = {}): this {
    this.push({ image: { imageUri, accessibilityText: options.accessibilityText } }, options, 'image');
    return this;
  }

  /**
   * A custom payload for one platform. Actions on Google reads the response's top-level `payload.google`;
   * the other built-in integrations read a payload message nested under their key (`{"facebook": …}`);
   * TELEPHONY (v2beta1 only), PLATFORM_UNSPECIFIED and any platform Dialogflow does not name (a custom
   * integration, Agent Assist) get the payload verbatim in a payload message (an unknown platform name is
   * not sent, since Dialogflow rejects enum values it does not know).
   */
  payload(content: JsonObject, platform: Platform | string = 'PLATFORM_UNSPECIFIED'): this {
    const copy = structuredClone(content);
    if (platform === 'ACTIONS_ON_GOOGLE') return this.webhookPayload({ google: copy });
    const key = isPlatform(platform) ? PAYLOAD_KEYS[platform] : undefined;
    if (key) {
      this.push({ payload: { [key]: copy } }, { platform: platform as Platform }, 'payload');
      return this;
    }
    const known = platform === 'TELEPHONY' ? { platform: 'TELEPHONY' as const } : {};
    this.push({ payload: copy }, known, 'payload');
    return this;
  }

  /**
   * Any `Intent.Message` as proto3 JSON, for messages without a helper (Actions on Google's simple
   * responses, basic cards and suggestions, list selects, …). Its validity is the caller's; on v2 a
   * telephony message or the TELEPHONY platform is left out as with the helpers.
   */
  message(message: Message): this {
    this.push(structuredClone(message), {}, 'message');
    return this;
  }

  /** Merges keys into the response's top-level `payload` (`queryResult.webhookPayload` for API callers). */
  webhookPayload(content: JsonObject): this {
    this.response.payload = { ...this.response.payload, ...structuredClone(content) };
    return this;
  }

  /** v2beta1 only (left out on v2): play an audio file (phone gateway). */
  telephonyPlayAudio(audioUri: string): this {
    this.push({ telephonyPlayAudio: { audioUri } }, { platform: 'TELEPHONY' }, 'telephonyPlayAudio');
    return this;
  }

  /** v2beta1 only (left out on v2): speak text or SSML. */
  telephonySynthesizeSpeech(speech: { text: string } | { ssml: string }): this {
    this.push({ telephonySynthesizeSpeech: { ...speech } }, { platform: 'TELEPHONY' }, 'telephonySynthesizeSpeech');
    return this;
  }

  /** v2beta1 only (left out on v2): transfer the call to a phone number (E.164). */
  telephonyTransferCall(phoneNumber: string): this {
    this.push({ telephonyTransferCall: { phoneNumber } }, { platform: 'TELEPHONY' }, 'telephonyTransferCall');
    return this;
  }

  /** Sets (or replaces) a context by short name; lifespan defaults to Dialogflow's 5 turns. */
  setContext(name: string, options: { readonly lifespan?: number; readonly parameters?: JsonObject } = {}): this {
    this.contexts.set(name, options.lifespan, options.parameters);
    return this;
  }

  /** Changes the lifespan of an active context, keeping its parameters; throws when it is not active. */
  updateLifespan(name: string, lifespan: number): this {
    this.contexts.updateLifespan(name, lifespan);
    return this;
  }

  /** Ends a context (lifespan 0); a context that is not active is deleted all the same. */
  deleteContext(name: string): this {
    this.contexts.delete(name);
    return this;
  }

  /** Undoes what the handler did to a context: the answer says nothing about it (Dialogflow keeps it as it is). */
  forgetContext(name: string): this {
    this.contexts.forget(name);
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

  /** v2beta1 only (left out on v2): hand the conversation to a human agent (Agent Assist / the telephony partner acts on it). */
  liveAgentHandoff(): this {
    if (this.supports('liveAgentHandoff')) this.response.liveAgentHandoff = true;
    return this;
  }

  /** v2beta1 only (left out on v2): this response ends the interaction. */
  endInteraction(): this {
    if (this.supports('endInteraction')) this.response.endInteraction = true;
    return this;
  }

  /** The response as Dialogflow will receive it (`outputContexts`: see ./output-contexts). */
  toResponse(): WebhookResponse {
    const response: WebhookResponse = { ...this.response };
    if (this.plainText !== undefined) response.fulfillmentText = this.plainText;
    else if (this.texts_.length > 0) response.fulfillmentText = this.texts_.join('\n');
    if (this.messages.length > 0) response.fulfillmentMessages = this.messages;
    const outputContexts = this.contexts.toJson();
    if (outputContexts) response.outputContexts = outputContexts;
    return response;
  }

  /**
   * The response's JSON as it is sent; throws ResponseTooLargeError over Dialogflow's 64 KiB limit. When
   * the text mirrored in `fulfillmentText` is what makes it too large, it is sent once: a lone text as
   * `fulfillmentText` only (Dialogflow makes the text message of it), otherwise in the messages only.
   */
  serialize(): string {
    const response = this.toResponse();
    let json = JSON.stringify(response);
    if (Buffer.byteLength(json) > MAX_RESPONSE_BYTES && response.fulfillmentText !== undefined && response.fulfillmentMessages) {
      const lone = response.fulfillmentMessages.length === 1 && this.texts_.length === 1;
      if (lone) delete response.fulfillmentMessages;
      else delete response.fulfillmentText;
      json = JSON.stringify(response);
    }
    const bytes = Buffer.byteLength(json);
    if (bytes > MAX_RESPONSE_BYTES) throw new ResponseTooLargeError(bytes);
    return json;
  }

  /** Whether the API version has a field for `helper`; reports it when not. */
  private supports(helper: string): boolean {
    if (this.apiVersion === 'v2beta1') return true;
    this.onUnsupported(helper);
    return false;
  }

  /** Adds a message unless the API version cannot carry it; true when added. */
  private push(message: Message, options: MessageOptions, helper: string): boolean {
    const platform = options.platform ?? message.platform;
    const telephony = platform === 'TELEPHONY' || Object.keys(message).some((key) => V2BETA1_MESSAGES.test(key));
    if (telephony && !this.supports(platform === 'TELEPHONY' && !V2BETA1_MESSAGES.test(helper) ? `${helper} (platform TELEPHONY)` : helper)) return false;
    this.messages.push(options.platform ? { ...message, platform: options.platform } : message);
    return true;
  }
}
