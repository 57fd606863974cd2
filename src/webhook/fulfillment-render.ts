/**
 * Writes what a `dialogflow-fulfillment` handler added to the typed module's response builder, with the
 * meaning the library gave it for a v2 agent:
 * - a request from a built-in integration gets its messages for that platform (messages targeted at
 *   another platform are left out); Actions on Google gets simple responses, basic cards and suggestion
 *   chips, led by a text as the Assistant requires; any other caller gets the messages for no platform;
 * - consecutive suggestions become one quick-replies message;
 * - a payload goes to its platform: the request's own in the top-level `payload` (as the library did), any
 *   other one where that platform reads it (the library dropped those silently).
 * Then it does what the library got wrong: nothing added is `{}` (the intent's own responses) instead of
 * a 500 "No responses defined", and `end()` is `endInteraction` (v2beta1; left out with a WARNING on v2)
 * instead of `triggerEndOfConversation`, a field no API version has.
 */
import { PAYLOAD_KEYS } from './request';
import type { ResponseBuilder } from './response';
import { Card, Image, Payload, PLATFORMS, RICH_PLATFORMS, Suggestion, Text, type RichResponse } from './fulfillment-responses';
import { isPlatform, type JsonObject, type Message, type Platform } from './types';

const AOG = PLATFORMS.ACTIONS_ON_GOOGLE;

/** The key a payload is nested under for a platform (`facebook`, `google`, or the name itself). */
function payloadKey(platform: string): string {
  return (isPlatform(platform) ? PAYLOAD_KEYS[platform] : undefined) ?? platform;
}

function wrapped(payload: Payload, platform: string): JsonObject {
  return payload.rawPayload ? structuredClone(payload.payload) : { [payloadKey(platform)]: structuredClone(payload.payload) };
}

/** Actions on Google's form of a message (platform ACTIONS_ON_GOOGLE). */
function assistantMessage(message: RichResponse): Message | undefined {
  if (message instanceof Text) {
    const speech = message.ssml ? { ssml: message.ssml } : { textToSpeech: message.text };
    return { simpleResponses: { simpleResponses: [{ ...speech, displayText: message.text }] } };
  }
  if (message instanceof Card) {
    return {
      basicCard: {
        title: message.title,
        ...(message.text ? { formattedText: message.text } : {}),
        ...(message.imageUrl ? { image: { imageUri: message.imageUrl, accessibilityText: message.title } } : {}),
        ...(message.buttonText && message.buttonUrl ? { buttons: [{ title: message.buttonText, openUriAction: { uri: message.buttonUrl } }] } : {}),
      },
    };
  }
  if (message instanceof Image) return { basicCard: { image: { imageUri: message.imageUrl, accessibilityText: 'image' } } };
  if (message instanceof Suggestion) return { suggestions: { suggestions: message.replies.map((title) => ({ title })) } };
  return undefined;
}

function sendPayload(builder: ResponseBuilder, payload: Payload, source: string | null): void {
  const platform = payload.platform ?? PLATFORMS.UNSPECIFIED;
  const mine = platform === source || (platform === PLATFORMS.UNSPECIFIED && !RICH_PLATFORMS.includes(source ?? ''));
  if (payload.sendAsMessage) {
    const content = wrapped(payload, platform);
    builder.message(isPlatform(platform) && platform !== 'PLATFORM_UNSPECIFIED' ? { payload: content, platform } : { payload: content });
  } else if (mine || platform === AOG || platform === PLATFORMS.UNSPECIFIED || !isPlatform(platform)) {
    // The request's own platform, the Assistant, every platform, or a custom integration: the top-level payload.
    builder.webhookPayload(wrapped(payload, platform));
  } else if (payload.rawPayload) {
    builder.message({ payload: structuredClone(payload.payload), platform });
  } else {
    builder.payload(payload.payload, platform);
  }
}

/** Writes `messages` for a request from `source` (the library's `requestSource`). */
export function render(builder: ResponseBuilder, messages: readonly RichResponse[], source: string | null): void {
  const rich = source !== null && RICH_PLATFORMS.includes(source);
  const visible = messages.filter((m) => m instanceof Payload || m.platform === undefined || m.platform === PLATFORMS.UNSPECIFIED || m.platform === source);
  const shown = visible.filter((m) => !(m instanceof Payload));
  for (const payload of messages.filter((m): m is Payload => m instanceof Payload)) sendPayload(builder, payload, source);

  if (messages.length === 1 && shown[0] instanceof Text) {
    // The library's answer to a lone text: `fulfillmentText` only, which every integration shows.
    builder.fulfillmentText(shown[0].ssml ?? shown[0].text);
    return;
  }
  if (source === AOG) {
    if (shown.length > 0 && !(shown[0] instanceof Text)) shown.unshift(new Text(' '));
    for (const message of shown) {
      const json = assistantMessage(message);
      if (json) builder.message({ ...json, platform: AOG });
    }
    return;
  }
  const options = rich ? { platform: source as Platform } : {};
  for (const message of shown) {
    if (message instanceof Text) builder.text(message.text, options);
    else if (message instanceof Card) {
      const buttons = message.buttonText && message.buttonUrl ? [{ text: message.buttonText, postback: message.buttonUrl }] : undefined;
      builder.card({ title: message.title, subtitle: message.text, imageUri: message.imageUrl, buttons, ...options });
    } else if (message instanceof Image) builder.image(message.imageUrl, options);
    else if (message instanceof Suggestion) builder.quickReplies(message.replies, options);
  }
}

/** The intent's console responses (`queryResult.fulfillmentMessages`) as rich responses (`agent.consoleMessages`). */
export function consoleMessages(messages: readonly Message[] | undefined): RichResponse[] {
  const out: RichResponse[] = [];
  for (const message of messages ?? []) {
    const platform = message.platform && message.platform !== 'PLATFORM_UNSPECIFIED' && RICH_PLATFORMS.includes(message.platform) ? message.platform : undefined;
    if (message.text?.text?.[0]) out.push(new Text({ text: message.text.text[0], platform }));
    else if (message.card) {
      const button = message.card.buttons?.[0];
      out.push(new Card({ title: message.card.title || ' ', text: message.card.subtitle, imageUrl: message.card.imageUri, buttonText: button?.text, buttonUrl: button?.postback, platform }));
    } else if (message.image?.imageUri) out.push(new Image({ imageUrl: message.image.imageUri, platform }));
    // The library read quick replies from a field they do not have, and so lost them; these are kept.
    else if (message.quickReplies) for (const title of message.quickReplies.quickReplies) out.push(new Suggestion({ title, platform }));
    else if (message.simpleResponses?.simpleResponses[0]) {
      const first = message.simpleResponses.simpleResponses[0];
      const text = new Text({ text: first.displayText || first.textToSpeech || ' ', platform });
      if (first.ssml) text.setSsml(first.ssml);
      out.push(text);
    } else if (message.suggestions) for (const { title } of message.suggestions.suggestions) out.push(new Suggestion({ title, platform }));
    else if (message.payload) out.push(new Payload(message.platform ?? PLATFORMS.UNSPECIFIED, message.payload, { rawPayload: true, sendAsMessage: true }));
  }
  return out;
}
