/**
 * Reads a Pub/Sub message out of whatever form delivered it:
 * - a push subscription's wrapped envelope `{message, subscription, deliveryAttempt}`
 *   (`messageId`/`message_id`, `publishTime`/`publish_time`);
 * - an Eventarc CloudEvent `google.cloud.pubsub.topic.v1.messagePublished`, in binary mode (`ce-*`
 *   headers, the envelope as body) or structured mode (`application/cloudevents+json`, envelope in `data`).
 */

const MESSAGE_PUBLISHED = 'google.cloud.pubsub.topic.v1.messagePublished';

export interface PubSubMessage {
  readonly messageId: string;
  readonly publishTime: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** The base64 payload, undecoded (undefined when the message had none). */
  readonly data?: string;
}

export type DeliveryResult = { ok: true; message: PubSubMessage } | { ok: false; reason: string };

type Headers = Readonly<Record<string, string | string[] | undefined>>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The media type of a Content-Type header, lower case, without parameters. */
function mediaType(contentType: string | undefined): string {
  if (contentType === undefined) return '';
  // As Pub/Sub and Eventarc send it: nothing to take apart.
  if (contentType === 'application/json') return contentType;
  return contentType.split(';')[0].trim().toLowerCase();
}

/** Parses a delivery; `ok: false` means the request is not a Pub/Sub or Eventarc delivery at all. */
export function parseDelivery(headers: Headers, body: unknown): DeliveryResult {
  const contentType = mediaType(header(headers, 'content-type'));
  if (contentType !== 'application/json' && contentType !== 'application/cloudevents+json') {
    return { ok: false, reason: 'content type must be application/json or application/cloudevents+json' };
  }
  if (!isObject(body)) return { ok: false, reason: 'body must be a JSON object' };

  let envelope: Record<string, unknown> = body;
  let eventId: string | undefined;
  let eventTime: string | undefined;
  if (contentType === 'application/cloudevents+json' || typeof body.specversion === 'string') {
    if (body.type !== MESSAGE_PUBLISHED) return { ok: false, reason: `CloudEvent type must be ${MESSAGE_PUBLISHED}` };
    if (!isObject(body.data)) return { ok: false, reason: 'CloudEvent has no data object' };
    envelope = body.data;
    eventId = typeof body.id === 'string' ? body.id : undefined;
    eventTime = typeof body.time === 'string' ? body.time : undefined;
  } else if (header(headers, 'ce-specversion') !== undefined) {
    if (header(headers, 'ce-type') !== MESSAGE_PUBLISHED) {
      return { ok: false, reason: `CloudEvent type must be ${MESSAGE_PUBLISHED}` };
    }
    eventId = header(headers, 'ce-id');
    eventTime = header(headers, 'ce-time');
  }

  const message = envelope.message;
  if (!isObject(message)) return { ok: false, reason: 'no message object in the delivery' };
  const messageId = message.messageId ?? message.message_id ?? eventId;
  if (typeof messageId !== 'string' || messageId === '' || messageId.length > 256) {
    return { ok: false, reason: 'message has no messageId' };
  }
  const publishTime = message.publishTime ?? message.publish_time ?? eventTime ?? '';
  if (message.data !== undefined && typeof message.data !== 'string') {
    return { ok: false, reason: 'message data must be a base64 string' };
  }
  const attributes: Record<string, string> = {};
  if (isObject(message.attributes)) {
    for (const [key, value] of Object.entries(message.attributes)) {
      if (typeof value === 'string') attributes[key] = value;
    }
  }
  return {
    ok: true,
    message: { messageId, publishTime: typeof publishTime === 'string' ? publishTime : '', attributes, data: message.data },
  };
}

/** 1 for the 64 characters of the standard base64 alphabet, by char code. */
const BASE64_ALPHABET = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') BASE64_ALPHABET[c.charCodeAt(0)] = 1;

/**
 * True when `data` is standard, padded base64. A single pass over the characters: no regular
 * expression (whose engine recurses on long inputs) and no copy, so a 10 MB message costs milliseconds.
 */
export function isBase64(data: string): boolean {
  const length = data.length;
  if (length % 4 !== 0) return false;
  let end = length;
  if (end > 0 && data.charCodeAt(end - 1) === 0x3d /* = */) end -= 1;
  if (end > 0 && data.charCodeAt(end - 1) === 0x3d) end -= 1;
  for (let i = 0; i < end; i += 1) {
    const code = data.charCodeAt(i);
    if (code > 127 || BASE64_ALPHABET[code] === 0) return false;
  }
  return true;
}

/** Past this length the alphabet is checked before decoding, so what is not base64 is refused at its first wrong character. */
const DECODE_FIRST_MAX_LENGTH = 1024 * 1024;

/**
 * The bytes of standard, padded base64, or undefined when `data` is not that (exactly when `isBase64` is
 * false). Node's decoder is lenient (it skips what is not base64 and takes the URL-safe alphabet too), so
 * its output is trusted at once only when encoding it again gives `data` back, which only canonical
 * base64 does: what Pub/Sub sends. Anything else is held to the alphabet a character at a time.
 */
function decodeBase64(data: string): Buffer | undefined {
  if (data.length % 4 !== 0) return undefined;
  if (data.length > DECODE_FIRST_MAX_LENGTH) return isBase64(data) ? Buffer.from(data, 'base64') : undefined;
  const bytes = Buffer.from(data, 'base64');
  return bytes.toString('base64') === data || isBase64(data) ? bytes : undefined;
}

export type NotificationResult =
  | { ok: true; json: string; conversation: string }
  | { ok: false; reason: 'no-data' | 'bad-base64' | 'data-not-json' | 'no-conversation' };

/**
 * Decodes a message's data into the notification JSON and its `conversation` field. A failure here is
 * final: the same message can never succeed, so the caller acknowledges it and logs why.
 */
export function decodeNotification(data: string | undefined): NotificationResult {
  if (data === undefined || data === '') return { ok: false, reason: 'no-data' };
  const bytes = decodeBase64(data);
  if (bytes === undefined) return { ok: false, reason: 'bad-base64' };
  const json = bytes.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { ok: false, reason: 'data-not-json' };
  }
  if (!isObject(value) || typeof value.conversation !== 'string') return { ok: false, reason: 'no-conversation' };
  return { ok: true, json, conversation: value.conversation };
}
