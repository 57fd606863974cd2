/**
 * The rich-response classes of the `dialogflow-fulfillment` library, with the same constructors and
 * setters, so inline-editor code that builds them runs unchanged: `Text`, `Card`, `Image`, `Suggestion`,
 * `Payload`, and the platform names. They only hold what the developer asked for; ./fulfillment-render
 * writes them to the one response builder of the typed module.
 */
import type { JsonObject } from './types';

/** The library's platform constants (also on every `WebhookClient`: `agent.SLACK`, …). */
export const PLATFORMS = {
  UNSPECIFIED: 'PLATFORM_UNSPECIFIED',
  FACEBOOK: 'FACEBOOK',
  SLACK: 'SLACK',
  TELEGRAM: 'TELEGRAM',
  KIK: 'KIK',
  SKYPE: 'SKYPE',
  LINE: 'LINE',
  VIBER: 'VIBER',
  ACTIONS_ON_GOOGLE: 'ACTIONS_ON_GOOGLE',
} as const;

/** Platforms a rich message may target (the library's list). */
export const RICH_PLATFORMS: readonly string[] = [
  PLATFORMS.FACEBOOK,
  PLATFORMS.SLACK,
  PLATFORMS.TELEGRAM,
  PLATFORMS.KIK,
  PLATFORMS.SKYPE,
  PLATFORMS.LINE,
  PLATFORMS.VIBER,
  PLATFORMS.ACTIONS_ON_GOOGLE,
];

/** `originalDetectIntentRequest.source` → platform, as the library mapped it (`agent.requestSource`). */
export const SOURCE_PLATFORMS: Readonly<Record<string, string>> = {
  facebook: PLATFORMS.FACEBOOK,
  slack: PLATFORMS.SLACK,
  slack_testbot: PLATFORMS.SLACK,
  telegram: PLATFORMS.TELEGRAM,
  kik: PLATFORMS.KIK,
  skype: PLATFORMS.SKYPE,
  line: PLATFORMS.LINE,
  viber: PLATFORMS.VIBER,
  google: PLATFORMS.ACTIONS_ON_GOOGLE,
};

/** The platform a rich message was given: undefined for none or PLATFORM_UNSPECIFIED; throws for others. */
function targetOf(platform: unknown): string | undefined {
  if (platform === undefined || platform === PLATFORMS.UNSPECIFIED) return undefined;
  if (typeof platform !== 'string' || !RICH_PLATFORMS.includes(platform)) throw new Error(`Platform '${String(platform)}' not supported.`);
  return platform;
}

/** Base of every rich response. */
export abstract class RichResponse {
  platform?: string;

  setPlatform(platform: string): this {
    this.platform = targetOf(platform) ?? PLATFORMS.UNSPECIFIED;
    return this;
  }
}

export class Text extends RichResponse {
  text: string;
  ssml?: string;

  constructor(text: string | { text: string; ssml?: string; platform?: string }) {
    super();
    if (text === undefined || (typeof text === 'object' && !text.text)) throw new Error('string required by Text constructor');
    if (typeof text === 'string') {
      this.text = text;
    } else {
      this.text = text.text;
      this.ssml = text.ssml;
      this.platform = targetOf(text.platform);
    }
  }

  setText(text: string): this {
    if (typeof text !== 'string') throw new Error('setText requires a string of the text');
    this.text = text;
    return this;
  }

  setSsml(ssml: string): this {
    if (typeof ssml !== 'string') throw new Error('setSsml requires a single string argument');
    this.ssml = ssml;
    return this;
  }
}

export interface CardOptions {
  title: string;
  text?: string;
  imageUrl?: string;
  buttonText?: string;
  buttonUrl?: string;
  platform?: string;
}

export class Card extends RichResponse {
  title: string;
  text?: string;
  imageUrl?: string;
  buttonText?: string;
  buttonUrl?: string;

  constructor(card: string | CardOptions) {
    super();
    if (card === undefined || (typeof card === 'object' && !card.title)) throw new Error('title string required by Card constructor');
    if (typeof card === 'string') {
      this.title = card;
    } else {
      if (Boolean(card.buttonText) !== Boolean(card.buttonUrl)) throw new Error('card button requires both title and link');
      this.title = card.title;
      this.text = card.text;
      this.imageUrl = card.imageUrl;
      this.buttonText = card.buttonText;
      this.buttonUrl = card.buttonUrl;
      this.platform = targetOf(card.platform);
    }
  }

  setTitle(title: string): this {
    if (typeof title !== 'string') throw new Error('setText requires a string of the text');
    this.title = title;
    return this;
  }

  setText(text: string): this {
    if (typeof text !== 'string') throw new Error('setText requires a string of the text');
    this.text = text;
    return this;
  }

  setImage(imageUrl: string): this {
    if (typeof imageUrl !== 'string') throw new Error('setImage requires a string of the image URL');
    this.imageUrl = imageUrl;
    return this;
  }

  setButton(button: { text?: string; url?: string }): this {
    if (Boolean(button.text) !== Boolean(button.url)) throw new Error('card button requires button title and url');
    this.buttonText = button.text;
    this.buttonUrl = button.url;
    return this;
  }
}

export class Image extends RichResponse {
  imageUrl: string;

  constructor(image: string | { imageUrl: string; platform?: string }) {
    super();
    if (image === undefined || (typeof image === 'object' && !image.imageUrl)) throw new Error('image url string required by Image constructor');
    if (typeof image === 'string') {
      this.imageUrl = image;
    } else {
      this.imageUrl = image.imageUrl;
      this.platform = targetOf(image.platform);
    }
  }

  setImage(imageUrl: string): this {
    if (typeof imageUrl !== 'string') throw new Error('setImage requires a string of the image URL');
    this.imageUrl = imageUrl;
    return this;
  }
}

/** A quick reply; consecutive suggestions for one platform become one quick-replies message. */
export class Suggestion extends RichResponse {
  readonly replies: string[] = [];

  constructor(suggestion: string | { title: string; platform?: string }) {
    super();
    if (suggestion === undefined || (typeof suggestion === 'object' && !suggestion.title)) throw new Error('Reply string required by Suggestion constructor');
    if (typeof suggestion === 'string') {
      this.replies.push(suggestion);
    } else {
      this.replies.push(suggestion.title);
      this.platform = targetOf(suggestion.platform);
    }
  }

  setReply(reply: string): this {
    if (typeof reply !== 'string') throw new Error(`setReply requires a string but found ${typeof reply}`);
    if (this.replies.length !== 1) throw new Error(`Expected one reply in Suggestion object but found ${this.replies.length}`);
    this.replies[0] = reply;
    return this;
  }
}

/**
 * A platform's custom payload: `new Payload(platform, payload, {sendAsMessage, rawPayload})`. The platform
 * may be any name (a custom integration's too). `rawPayload` sends the object as it is instead of nesting
 * it under the platform's key; `sendAsMessage` sends it as a payload message rather than in the
 * response's top-level `payload`.
 */
export class Payload extends RichResponse {
  payload: JsonObject;
  readonly sendAsMessage: boolean;
  readonly rawPayload: boolean;

  constructor(platform: string, payload: JsonObject, options: { sendAsMessage?: boolean; rawPayload?: boolean } = {}) {
    super();
    if (!payload) throw new Error('Payload can NOT be empty');
    if (!platform) throw new Error('Platform can NOT be empty');
    this.platform = platform;
    this.payload = structuredClone(payload);
    this.sendAsMessage = options.sendAsMessage ?? false;
    this.rawPayload = options.rawPayload ?? false;
  }

  setPayload(payload: JsonObject): this {
    this.payload = payload;
    return this;
  }
}
