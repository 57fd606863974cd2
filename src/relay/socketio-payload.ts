/**
 * The payload of a Socket.IO server event, exactly as the Python backend built it (the Pub/Sub
 * interceptor's `msg_data` dict, relayed as-is by the UI connector), so existing desktops parse it
 * unchanged:
 *
 * `{conversation_name, data, data_type, ack_time, publish_time, message_id}` in that key order, plus
 * `participant_role` and `new_recognition_result_message_id` (from the Pub/Sub attributes, `''` when
 * absent) for `new-recognition-result-notification-event`.
 *
 * - `data` is the notification JSON as a string (the client parses it itself);
 * - `ack_time` is when the event function received the delivery, `%Y-%m-%dT%H:%M:%SZ` in UTC (the Python
 *   interceptor used `datetime.now().strftime('%Y-%m-%dT%H:%M:%SZ')`, local time with a literal `Z`,
 *   which is UTC on Cloud Run);
 * - `publish_time` is the push envelope's `publishTime`, verbatim (the Python push interceptor copied
 *   `pubsub_message['publishTime']` untouched, e.g. `2024-05-01T10:00:00.123Z`).
 */
import type { StoredEvent } from '../broker/event';
import { builtOncePerEvent } from './per-event';

/** The data type whose payload carries the recognition attributes. */
const RECOGNITION = 'new-recognition-result-notification-event';

/** The payload fields every event has, in the Python dict's order. */
export interface SocketIoPayload {
  readonly conversation_name: string;
  readonly data: string;
  readonly data_type: string;
  readonly ack_time: string;
  readonly publish_time: string;
  readonly message_id: string;
  readonly participant_role?: string;
  readonly new_recognition_result_message_id?: string;
}

/**
 * Formats an RFC 3339 instant as `%Y-%m-%dT%H:%M:%SZ` (UTC, whole seconds, truncated as strftime
 * truncates). A value that is not a date is passed through rather than invented.
 */
export function pythonTimestamp(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

/** The payload of an event, built once however many sockets receive it. */
export const socketIoPayload = builtOncePerEvent((event: StoredEvent): SocketIoPayload => {
  // Built field by field, in this order, because the key order is part of what clients see.
  const base = {
    conversation_name: event.conversation,
    data: event.data,
    data_type: event.type,
    ack_time: pythonTimestamp(event.ackTime),
    publish_time: event.publishTime,
    message_id: event.messageId,
  };
  if (event.type !== RECOGNITION) return base;
  return {
    ...base,
    participant_role: event.attributes.participant_role ?? '',
    new_recognition_result_message_id: event.attributes.message_id ?? '',
  };
});
