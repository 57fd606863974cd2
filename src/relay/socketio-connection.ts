/**
 * One authenticated Socket.IO connection: `join-conversation` / `leave-conversation` with the Python UI
 * connector's acknowledgements, events emitted under their data type with the Python payload, and the
 * relay's guarantees on top (history replay on join, resume by `message_id`, no duplicates on the same
 * connection, slow consumers closed so they reconnect).
 */
import type { Socket } from 'socket.io';
import type { AccessDecision } from '../access/access';
import type { Broker } from '../broker/broker';
import { describeBadName, parseConversationName, type ConversationName } from '../conversation';
import type { Logger } from '../log';
import type { Hub, Member } from './hub';
import { socketIoPayload } from './socketio-payload';
import { findEventId, parseRoomArgs } from './socketio-resume';

export interface SocketIoConnectionOptions {
  readonly hub: Hub;
  readonly broker: Broker;
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
  const { hub, broker, log } = options;
  const joined = new Set<string>();
  // The id of the last event this connection was given, per conversation: a re-join on the same
  // connection without a message id continues from it, so it never sees an event twice.
  const lastGiven = new Map<string, string>();
  let closed = false;

  const member: Member = {
    deliver(event) {
      if (closed) return;
      const buffered = bufferedBytes(socket);
      if (buffered > options.maxBufferedBytes) {
        closed = true;
        options.onSlowConsumer?.();
        log.warn('slow consumer closed', { bufferedBytes: buffered });
        // Closing the engine transport (not `socket.disconnect()`) is what socket.io-client treats as
        // "transport close" and reconnects after; `discard` drops what the client could not read.
        socket.conn.close(true);
        return;
      }
      lastGiven.set(event.conversation, event.id);
      socket.emit(event.type, socketIoPayload(event));
    },
  };

  socket.on('join-conversation', (...args: unknown[]) => void join(args));
  socket.on('leave-conversation', (...args: unknown[]) => void leave(args));

  async function join(args: unknown[]): Promise<void> {
    const parsed = parseRoomArgs(args);
    if (!parsed.ok) return parsed.ack?.(false, parsed.reason);
    const { name, lastMessageId, ack } = parsed.request;
    const conversation = parseConversationName(name);
    if (!conversation) return ack?.(false, describeBadName(name));
    // Access first: a refused join is never subscribed, replayed or counted as joined.
    const decision = await options.access(conversation);
    if (closed) return;
    if (!decision.allowed) return ack?.(false, `${decision.code}: ${decision.message}`);
    const key = conversation.key;
    if (!joined.has(key) && joined.size >= options.maxConversations) {
      return ack?.(false, `at most ${options.maxConversations} conversations per socket`);
    }
    joined.add(key);
    options.onJoin?.();
    try {
      let after = lastGiven.get(key);
      if (lastMessageId !== undefined) {
        // Not found means history no longer holds it (trimmed or expired): everything still held is
        // newer, so the replay starts from the beginning, or from what this connection already got.
        after = (await findEventId(broker, key, lastMessageId)) ?? after;
      }
      // A disconnect while the history was scanned has already left every room: do not re-enter one.
      if (closed) return;
      await hub.join(member, key, after);
      if (!closed) ack?.(true, key);
    } catch (error) {
      joined.delete(key);
      log.warn('join failed', { conversation: key, error: String(error) });
      ack?.(false, 'could not join now; retry');
    }
  }

  async function leave(args: unknown[]): Promise<void> {
    const parsed = parseRoomArgs(args);
    if (!parsed.ok) return parsed.ack?.(false, parsed.reason);
    const { name, ack } = parsed.request;
    const conversation = parseConversationName(name);
    if (!conversation) return ack?.(false, describeBadName(name));
    joined.delete(conversation.key);
    await hub.leave(member, conversation.key);
    ack?.(true, conversation.key);
  }

  socket.on('disconnect', () => {
    closed = true;
    void hub.leaveAll(member, joined);
  });
}
