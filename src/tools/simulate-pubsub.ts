/**
 * `npm run simulate -- --pubsub`: publishes the sample call's notifications to the real Pub/Sub topics of a
 * deployed project, exactly as Agent Assist would (JSON data, recognition results with their
 * `participant_role` / `message_id` attributes), so an operator sees events flow end to end through the
 * subscriptions, the event functions, Redis and the relay before any real conversation.
 *
 * Topics are `<prefix><suffix>` with the suffixes of Google's integration tutorial, so `--topic-prefix aa-`
 * gives `aa-new-suggestion-topic`, `aa-new-message-topic`, `aa-conversation-event-topic` and
 * `aa-intermediate-transcript-topic` (docs/deploy.md). Credentials: Application Default Credentials; the
 * `@google-cloud/pubsub` client honours `PUBSUB_EMULATOR_HOST`.
 */
import type { DataType } from '../broker/event';
import type { SampleNotification } from '../samples/notifications';

/** The topic suffix of each notification type (Google's tutorial names after the prefix). */
export const TOPIC_SUFFIXES: Readonly<Record<DataType, string>> = {
  'human-agent-assistant-event': 'new-suggestion-topic',
  'new-message-event': 'new-message-topic',
  'conversation-lifecycle-event': 'conversation-event-topic',
  'new-recognition-result-notification-event': 'intermediate-transcript-topic',
};

/** The topic id a notification type is published to. */
export function topicOf(type: DataType, prefix: string): string {
  return `${prefix}${TOPIC_SUFFIXES[type]}`;
}

/** Publishes one message; resolves with the server-assigned message id. */
export type Publish = (topic: string, data: Buffer, attributes: Record<string, string>) => Promise<string>;

/** A `Publish` over the real client for `projectId` (ADC, or the emulator in PUBSUB_EMULATOR_HOST). */
export async function pubsubPublisher(projectId: string): Promise<{ publish: Publish; close(): Promise<void> }> {
  const { PubSub } = await import('@google-cloud/pubsub');
  const client = new PubSub({ projectId });
  return {
    publish: (topic, data, attributes) => client.topic(topic).publishMessage({ data, attributes }),
    close: () => client.close(),
  };
}

export interface PublishedSample {
  readonly type: DataType;
  readonly topic: string;
  readonly messageId: string;
}

/** Publishes `samples` in order, `delayMs` apart, and reports each published message. */
export async function publishSamples(
  samples: readonly SampleNotification[],
  options: { readonly publish: Publish; readonly topicPrefix: string; readonly delayMs?: number; readonly onPublished?: (published: PublishedSample) => void },
): Promise<PublishedSample[]> {
  const published: PublishedSample[] = [];
  for (const [index, sample] of samples.entries()) {
    if (index > 0 && options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    const topic = topicOf(sample.type, options.topicPrefix);
    const messageId = await options.publish(topic, Buffer.from(JSON.stringify(sample.data)), { ...sample.attributes });
    const entry = { type: sample.type, topic, messageId };
    options.onPublished?.(entry);
    published.push(entry);
  }
  return published;
}
