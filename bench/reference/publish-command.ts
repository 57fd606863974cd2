/**
 * What both reference event functions do with a push delivery's message, and nothing more: decode the
 * base64 notification, parse it for its conversation, and make the publish script's keys and arguments
 * for it (the project's script and key layout, `src/broker/redis.ts`). No checks of the delivery's form.
 */
import { channelKey, dedupeKey, historyKey, lastIdKey } from '../../src/broker/redis';

export interface PushMessage {
  readonly data: string;
  readonly messageId: string;
  readonly publishTime?: string;
  readonly attributes?: Record<string, string>;
}

export interface ScriptCall {
  readonly keys: string[];
  readonly arguments: string[];
}

/** The publish script's keys and arguments that publish `message` as a new-message-event. */
export function publishCall(message: PushMessage): ScriptCall {
  const data = Buffer.from(message.data, 'base64').toString();
  const conversation = String((JSON.parse(data) as { conversation: string }).conversation);
  const record = JSON.stringify({
    type: 'new-message-event',
    conversation,
    messageId: message.messageId,
    publishTime: message.publishTime ?? '',
    ackTime: new Date().toISOString(),
    attributes: message.attributes ?? {},
    data,
  });
  const dedupe = dedupeKey({ conversation, type: 'new-message-event', messageId: message.messageId });
  return {
    keys: [dedupe, historyKey(conversation), channelKey(conversation), lastIdKey(conversation)],
    arguments: ['86400', '1000', '86400', record, 'PUBLISH'],
  };
}
