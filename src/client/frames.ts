/**
 * Reading the relay's `event` frames (docs/relay-protocol.md, "Frames from the relay") into events.
 */
import type { DataType, RelayEvent } from './notifications';
import { isEventId } from './policy';

/** A parsed frame. */
export type Frame = Record<string, unknown>;

const DATA_TYPES: readonly string[] = ['human-agent-assistant-event', 'new-message-event', 'conversation-lifecycle-event', 'new-recognition-result-notification-event'];

/** The event of an `event` frame, or undefined when the frame is not one. */
export function toEvent(frame: Frame): RelayEvent | undefined {
  if (!isEventId(frame.id) || typeof frame.conversation !== 'string' || !DATA_TYPES.includes(frame.dataType as string)) return undefined;
  return {
    id: frame.id,
    conversation: frame.conversation,
    dataType: frame.dataType as DataType,
    messageId: String(frame.messageId ?? ''),
    publishTime: String(frame.publishTime ?? ''),
    ackTime: String(frame.ackTime ?? ''),
    attributes: (typeof frame.attributes === 'object' && frame.attributes !== null ? frame.attributes : {}) as Record<string, string>,
    data: (typeof frame.data === 'object' && frame.data !== null ? frame.data : {}) as never,
  } as RelayEvent;
}
