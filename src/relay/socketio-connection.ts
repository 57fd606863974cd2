/**
 * One authenticated Socket.IO connection: `join-conversation` / `leave-conversation` with the Python UI
 * connector's acknowledgements, events emitted under their data type with the Python payload, and the
 * relay's guarantees on top (history replay on join, resume by `message_id`, no duplicates on the same
 * connection, slow consumers closed so they reconnect).
 */
import type { Socket } from 'socket.io';
import type { AccessDecision } from '../access/access';
import { describeBadName, parseConversationName, type ConversationName } from '../conversation';
import { compareEventIds } from '../broker/event';
import type { Logger } from '../log';
import type { Hub, Member } from './hub';
import { GivenIds } from './given-ids';
import { SocketRooms } from './socket-rooms';
import { socketIoPayload } from './socketio-payload';
import { parseRoomArgs, type Ack } from './socketio-resume';

export interface SocketIoConnectionOptions {
  readonly hub: Hub;
  readonly log: Logger;
  readonly maxBufferedBytes: number;
  readonly maxConversations: number;
  /** Whether this socket's token may join a conversation (src/access/). */
  readonly access: (conversation: ConversationName) => Promise<AccessDecision>;
  readonly onSlowConsumer?: () => void;
  readonly onJoin?: () => void;
}

/** What the engine.io connection exposes that its typings keep private. */
interface EngineInternals {
  readonly writeBuffer?: ReadonlyArray<{ readonly data?: unknown }>;
  readonly transport?: { readonly socket?: { readonly bufferedAmount?: number } };
}

/**
 * Bytes the relay holds for a socket and has not handed to the kernel: packets engine.io queued while
 * its transport was busy (a long-poll not yet collected, or a WebSocket write not yet flushed) plus the
 * WebSocket's own send buffer. Both grow only when the client reads more slowly than events arrive.
 */
export function bufferedBytes(socket: Socket): number {
  const engine = socket.conn as unknown as EngineInternals;
  let bytes = engine.transport?.socket?.bufferedAmount ?? 0;
  for (const packet of engine.writeBuffer ?? []) {
    const data = packet.data;
    if (typeof data === 'string') bytes += data.length;
    else if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) bytes += data.byteLength;
  }
  return bytes;
}

/** Serves one connected socket until it disconnects. */
export function serveSocketIoConnection(socket: Socket, options: SocketIoConnectionOptions): void {
  const { hub, log } = options;
  // The id of the last event this connection was given, per conversation: a re-join on the same
  // connection without a message id continues from it, so it never sees an event twice.
  const lastGiven = new Map<string, GivenIds>();
  let closed = false;

  /** Every packet the relay emits goes through here, so all of them count against the socket's limit. */
  const writable = (): boolean => {
    if (closed) return false;
    const buffered = bufferedBytes(socket);
    if (buffered <= options.maxBufferedBytes) return true;
    closed = true;
    options.onSlowConsumer?.();
    log.warn('slow consumer closed', { bufferedBytes: buffered });
    // Closing the engine transport (not `socket.disconnect()`) is what socket.io-client treats as
    // "transport close" and reconnects after; `discard` drops what the client could not read.
    socket.conn.close(true);
    return false;
  };
  const answer = (ack: Ack | undefined, ...args: unknown[]): void => {
    if (ack && writable()) ack(...args);
  };

  const member: Member = {
    deliver(event) {
      if (!writable()) return;
      const given = lastGiven.get(event.conversation);
      if (given) given.add(event.id);
      else lastGiven.set(event.conversation, new GivenIds(event.id));
      socket.emit(event.type, socketIoPayload(event));
    },
  };
  const rooms = new SocketRooms(hub, member, options.maxConversations);

  // Incoming packets are budgeted per engine connection (src/relay/socketio.ts).
  socket.on('join-conversation', (...args: unknown[]) => void join(args));
  socket.on('leave-conversation', (...args: unknown[]) => void leave(args));

  async function join(args: unknown[]): Promise<void> {
    const parsed = parseRoomArgs(args);
    if (!parsed.ok) return answer(parsed.ack, false, parsed.reason);
    const { name, lastMessageId, ack } = parsed.request;
    const conversation = parseConversationName(name);
    if (!conversation) return answer(ack, false, describeBadName(name));
    const key = conversation.key;
    options.onJoin?.();
    // Access is decided in the request's turn: a refused join is never subscribed, replayed or joined.
    const outcome = await rooms.join(key, async () => {
      const decision = await options.access(conversation);
      if (!decision.allowed) return decision;
      return { allowed: true, after: await resumePoint(key, lastMessageId) };
    });
    if (outcome.ok) return answer(ack, true, key);
    if (outcome.code === 'refused') return answer(ack, false, `${outcome.refusal.code}: ${outcome.refusal.message}`);
    if (outcome.code === 'too-many-conversations') return answer(ack, false, `at most ${options.maxConversations} conversations per socket`);
    if (outcome.code === 'unavailable') {
      log.warn('join failed', { conversation: key, error: String(outcome.error) });
      answer(ack, false, 'could not join now; retry');
    }
  }

  /** Where a join replays from: after the message the client names, never before what it already got. */
  async function resumePoint(key: string, lastMessageId: string | undefined): Promise<string | undefined> {
    const given = lastGiven.get(key)?.last;
    if (lastMessageId === undefined) return given;
    // Not found means history no longer holds it (trimmed or expired): everything still held is
    // newer, so the replay starts from the beginning, or from what this connection already got.
    const found = await hub.findEventId(key, lastMessageId);
    if (found === undefined || given === undefined) return found ?? given;
    return compareEventIds(found, given) > 0 ? found : given;
  }

  async function leave(args: unknown[]): Promise<void> {
    const parsed = parseRoomArgs(args);
    if (!parsed.ok) return answer(parsed.ack, false, parsed.reason);
    const { name, ack } = parsed.request;
    const conversation = parseConversationName(name);
    if (!conversation) return answer(ack, false, describeBadName(name));
    await rooms.leave(conversation.key);
    answer(ack, true, conversation.key);
  }

  socket.on('disconnect', () => {
    closed = true;
    void rooms.close();
  });
}
