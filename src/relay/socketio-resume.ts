/**
 * The arguments of `join-conversation` / `leave-conversation`, and the resume extension.
 *
 * The Python UI connector took one argument, the conversation name, and answered through the
 * acknowledgement. Kept as is; a client may also say which event it saw last, so that a re-join after a
 * reconnect receives exactly what it missed (docs/socketio.md):
 *
 * - `emit('join-conversation', name, ack)`: the original form;
 * - `emit('join-conversation', name, lastMessageId, ack)`: an extra argument;
 * - `emit('join-conversation', {conversation_name, last_message_id}, ack)`: the object form.
 *
 * Socket.IO clients only ever see `message_id` (the Pub/Sub message id), never our history ids, so the
 * relay maps the message id to its history entry by scanning the conversation's history.
 */

/** An acknowledgement callback as socket.io hands it to a handler. */
export type Ack = (...args: unknown[]) => void;

export interface RoomRequest {
  /** The conversation name as sent (validated by the caller). */
  readonly name: unknown;
  /** The last `message_id` the client saw, when it passed one. */
  readonly lastMessageId?: string;
  readonly ack?: Ack;
}

export type ParsedRequest = { ok: true; request: RoomRequest } | { ok: false; reason: string; ack?: Ack };

const MAX_MESSAGE_ID = 256;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Splits a room event's arguments into name, optional resume point and acknowledgement. */
export function parseRoomArgs(args: readonly unknown[]): ParsedRequest {
  const last = args[args.length - 1];
  const ack = typeof last === 'function' ? (last as Ack) : undefined;
  const values = ack ? args.slice(0, -1) : args;
  let name: unknown = values[0];
  let lastMessageId: unknown = values[1];
  if (isRecord(name)) {
    lastMessageId = name.last_message_id;
    name = name.conversation_name;
  }
  if (lastMessageId === undefined || lastMessageId === null || lastMessageId === '') {
    return { ok: true, request: { name, ack } };
  }
  if (typeof lastMessageId !== 'string' || lastMessageId.length > MAX_MESSAGE_ID) {
    return { ok: false, reason: 'last_message_id must be the message_id of an event this client received', ack };
  }
  return { ok: true, request: { name, lastMessageId, ack } };
}
