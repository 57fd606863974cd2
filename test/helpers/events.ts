/** Builders of realistic Agent Assist notifications and Pub/Sub deliveries for tests. */
import type { DataType, EventRecord } from '../../src/broker/event';

let counter = 0;

/** A unique Pub/Sub message id. */
export function nextMessageId(): string {
  counter += 1;
  return `${Date.now()}${String(counter).padStart(6, '0')}`;
}

export function record(conversation: string, overrides: Partial<EventRecord> = {}): EventRecord {
  return {
    type: 'new-message-event',
    conversation,
    messageId: nextMessageId(),
    publishTime: '2026-11-21T10:00:00.000Z',
    ackTime: new Date().toISOString(),
    attributes: {},
    data: JSON.stringify({ conversation, type: 'NEW_MESSAGE', newMessagePayload: { content: 'hello' } }),
    ...overrides,
  };
}

/** The notification JSON Agent Assist publishes for a data type. */
export function notification(type: DataType, conversation: string): Record<string, unknown> {
  switch (type) {
    case 'human-agent-assistant-event':
      return {
        conversation,
        participant: `${conversation}/participants/agent-1`,
        suggestionResults: [{ suggestArticlesResponse: { articleAnswers: [{ title: 'Refund policy', uri: 'https://example.com/refunds' }] } }],
      };
    case 'new-message-event':
      return {
        conversation,
        type: 'NEW_MESSAGE',
        newMessagePayload: { name: `${conversation}/messages/m1`, content: 'I would like a refund', participantRole: 'END_USER' },
      };
    case 'conversation-lifecycle-event':
      return { conversation, type: 'CONVERSATION_STARTED' };
    case 'new-recognition-result-notification-event':
      return {
        conversation,
        type: 'NEW_RECOGNITION_RESULT',
        newRecognitionResultPayload: { transcript: 'I would like a', isFinal: false },
      };
  }
}

/** A Pub/Sub push envelope carrying `data` (an object, JSON-encoded and base64-encoded). */
export function pushEnvelope(data: unknown, options: { messageId?: string; attributes?: Record<string, string>; snake?: boolean } = {}): Record<string, unknown> {
  const messageId = options.messageId ?? nextMessageId();
  const encoded = Buffer.from(JSON.stringify(data)).toString('base64');
  const message = options.snake
    ? { data: encoded, attributes: options.attributes, message_id: messageId, publish_time: '2026-11-21T10:00:00.000Z' }
    : { data: encoded, attributes: options.attributes, messageId, publishTime: '2026-11-21T10:00:00.000Z' };
  return { message, subscription: 'projects/test-project/subscriptions/aa-events', deliveryAttempt: 1 };
}
