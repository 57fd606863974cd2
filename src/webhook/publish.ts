/**
 * Events a webhook handler publishes to the desktops in a conversation, through the same broker the
 * event functions use. Desktops know four data types, so a webhook event travels as a
 * `conversation-lifecycle-event` whose data is a ConversationEvent-shaped JSON (`conversation`, `type`),
 * plus a `webhookEvent` object: existing desktops that switch on `type` ignore a type they do not handle,
 * and `HUMAN_INTERVENTION_NEEDED` is the very type Agent Assist itself sends when a handoff is needed.
 * The message id is derived from the request (its `responseId` and the hash of its answer key), so a
 * retried request publishes nothing twice (the broker deduplicates by message id), while the call a
 * follow-up event makes within the same detect-intent call publishes its own events.
 */
import { createHash } from 'node:crypto';
import type { Broker } from '../broker/broker';
import { conversationKey } from '../conversation';
import type { EventRecord } from '../broker/event';
import type { Logger } from '../log';
import { answerKey } from './cache';
import { parseSession } from './request';
import type { JsonObject, WebhookRequest } from './types';

/** What a handler publishes. */
export interface WebhookEvent {
  /** ConversationEvent type desktops see; default TYPE_UNSPECIFIED. */
  readonly type?: 'HUMAN_INTERVENTION_NEEDED' | 'TYPE_UNSPECIFIED';
  /** Any JSON the desktops should receive (in `webhookEvent.payload`): no secrets. */
  readonly payload?: JsonObject;
  /**
   * The Agent Assist conversation (`projects/P[/locations/L]/conversations/C`). By default the session id is
   * taken as the conversation id, which holds when the conversation's virtual agent runs the session
   * (Agent Assist names the Dialogflow session after the conversation); pass it otherwise.
   */
  readonly conversation?: string;
}

export interface WebhookPublisher {
  /** Publishes; resolves false (and logs why) instead of throwing when it cannot. */
  publish(request: WebhookRequest, event: WebhookEvent, sequence: number): Promise<boolean>;
}

/** The id of an event a request publishes: `webhook-<responseId>-<8 hex of its answer key>-<n>`. */
export function webhookMessageId(request: WebhookRequest, sequence: number): string {
  const call = createHash('sha256').update(answerKey(request)).digest('hex').slice(0, 8);
  return `webhook-${request.responseId}-${call}-${sequence}`;
}

/** The conversation a session belongs to by default. */
export function defaultConversation(session: string): string | undefined {
  const parsed = parseSession(session);
  if (!parsed) return undefined;
  const location = parsed.location ? `locations/${parsed.location}/` : '';
  return `projects/${parsed.project}/${location}conversations/${parsed.sessionId}`;
}

export function createWebhookPublisher(broker: Broker, log: Logger, now: () => Date = () => new Date()): WebhookPublisher {
  return {
    async publish(request, event, sequence) {
      const name = event.conversation ?? defaultConversation(request.session);
      const key = conversationKey(name);
      if (name === undefined || key === undefined) {
        log.warn('webhook event not published', { reason: 'not a conversation name' });
        return false;
      }
      const type = event.type ?? 'TYPE_UNSPECIFIED';
      const messageId = webhookMessageId(request, sequence);
      const data = {
        conversation: name,
        type,
        webhookEvent: {
          responseId: request.responseId,
          intent: request.queryResult.intent?.displayName ?? '',
          ...(event.payload ? { payload: event.payload } : {}),
        },
      };
      const at = now().toISOString();
      const record: EventRecord = {
        type: 'conversation-lifecycle-event',
        conversation: key,
        messageId,
        publishTime: at,
        ackTime: at,
        attributes: { source: 'dialogflow-webhook' },
        data: JSON.stringify(data),
      };
      try {
        const result = await broker.publish(record);
        log.info('webhook event published', { conversation: key, messageId, duplicate: result.duplicate, eventType: type });
        return true;
      } catch (error) {
        log.warn('webhook event not published', { reason: 'store unavailable', conversation: key, error: String(error) });
        return false;
      }
    },
  };
}
