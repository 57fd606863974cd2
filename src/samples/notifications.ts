/**
 * Realistic Agent Assist notifications for one conversation, in the order a short call produces them:
 * lifecycle start, transcripts and messages, suggestions, lifecycle end. `npm run simulate`, the demo
 * page's sample panel and the benchmarks send these.
 */
import type { DataType } from '../broker/event';

export interface SampleNotification {
  readonly type: DataType;
  /** The notification JSON Agent Assist publishes. */
  readonly data: Record<string, unknown>;
  /** Pub/Sub attributes (recognition results carry `participant_role` and `message_id`). */
  readonly attributes: Record<string, string>;
}

/** The notifications of a short call in `conversation` (full name, with or without location). */
export function sampleCall(conversation: string): SampleNotification[] {
  const participant = (id: string): string => `${conversation}/participants/${id}`;
  const now = new Date().toISOString();
  const message = (id: string, role: 'END_USER' | 'HUMAN_AGENT', content: string) => ({
    type: 'new-message-event' as const,
    attributes: {},
    data: {
      conversation,
      type: 'NEW_MESSAGE',
      newMessagePayload: {
        name: `${conversation}/messages/${id}`,
        content,
        languageCode: 'en-US',
        participant: participant(role === 'END_USER' ? 'customer' : 'agent'),
        participantRole: role,
        createTime: now,
      },
    },
  });
  const transcript = (text: string, isFinal: boolean, messageId: string) => ({
    type: 'new-recognition-result-notification-event' as const,
    attributes: { participant_role: 'END_USER', message_id: messageId },
    data: {
      conversation,
      type: 'NEW_RECOGNITION_RESULT',
      newRecognitionResultPayload: { messageType: 'TRANSCRIPT', transcript: text, isFinal, confidence: isFinal ? 0.93 : 0, languageCode: 'en-US' },
    },
  });
  return [
    { type: 'conversation-lifecycle-event', attributes: {}, data: { conversation, type: 'CONVERSATION_STARTED' } },
    transcript('I was charged twice', false, 'utterance-1'),
    transcript('I was charged twice for my order', true, 'utterance-1'),
    message('m1', 'END_USER', 'I was charged twice for my order'),
    {
      type: 'human-agent-assistant-event',
      attributes: {},
      data: {
        conversation,
        participant: participant('agent'),
        suggestionResults: [
          {
            suggestArticlesResponse: {
              articleAnswers: [
                {
                  title: 'Refunds for duplicate charges',
                  uri: 'https://support.example.com/articles/duplicate-charges',
                  snippets: ['Duplicate charges are refunded within 3 to 5 business days.'],
                  confidence: 0.82,
                  answerRecord: `projects/example/answerRecords/article-1`,
                },
              ],
              latestMessage: `${conversation}/messages/m1`,
              contextSize: 1,
            },
          },
          {
            suggestSmartRepliesResponse: {
              smartReplyAnswers: [
                { reply: 'I am sorry about that. Let me look into the duplicate charge.', confidence: 0.74, answerRecord: 'projects/example/answerRecords/reply-1' },
              ],
              latestMessage: `${conversation}/messages/m1`,
              contextSize: 1,
            },
          },
        ],
      },
    },
    message('m2', 'HUMAN_AGENT', 'I am sorry about that. Let me look into the duplicate charge.'),
    { type: 'conversation-lifecycle-event', attributes: {}, data: { conversation, type: 'CONVERSATION_FINISHED' } },
  ];
}

/** The Pub/Sub push envelope of a sample, as a push subscription would POST it. */
export function pushEnvelopeOf(sample: SampleNotification, messageId: string, subscription = 'projects/example/subscriptions/agent-assist'): Record<string, unknown> {
  return {
    message: {
      data: Buffer.from(JSON.stringify(sample.data)).toString('base64'),
      attributes: sample.attributes,
      messageId,
      publishTime: new Date().toISOString(),
    },
    subscription,
    deliveryAttempt: 1,
  };
}
