/**
 * The conversations one socket is in, for either protocol. Requests for one conversation run one after
 * another, in the order the socket sent them, so any interleaving of join, join, leave and disconnect
 * ends in the state the last request asks for: a second join waits for the first and replays nothing,
 * a leave that overtakes a join's resume lookup still removes it, and a disconnect leaves every room,
 * including one whose join is still under way. Requests for different conversations run side by side.
 */
import type { Hub, Member } from './hub';

/** Whether a join may go ahead, and from where it replays (undefined: all of history). */
export type Admission =
  | { readonly allowed: true; readonly after?: string }
  | { readonly allowed: false; readonly code: string; readonly message: string };

export type JoinOutcome =
  | { readonly ok: true; readonly replayed: number }
  | { readonly ok: false; readonly code: 'too-many-conversations' | 'unavailable' | 'closed'; readonly error?: unknown }
  | { readonly ok: false; readonly code: 'refused'; readonly refusal: { readonly code: string; readonly message: string } };

export class SocketRooms {
  /** Conversations joined or being joined (what the per-socket cap counts). */
  private readonly joined = new Set<string>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private closed = false;

  constructor(
    private readonly hub: Hub,
    private readonly member: Member,
    private readonly maxConversations: number,
  ) {}

  /** Conversations the socket is in or joining. */
  get size(): number {
    return this.joined.size;
  }

  /**
   * Joins `conversation`. `admit` is asked once the request's turn comes (it may ask the access
   * decision and read history): whether the join may go ahead, and the id to replay after. A join of a
   * conversation the socket is already in is not asked again and replays nothing.
   */
  join(conversation: string, admit: () => Promise<Admission> | Admission): Promise<JoinOutcome> {
    if (this.closed) return Promise.resolve({ ok: false, code: 'closed' });
    if (!this.joined.has(conversation) && this.joined.size >= this.maxConversations) {
      return Promise.resolve({ ok: false, code: 'too-many-conversations' });
    }
    this.joined.add(conversation);
    return this.serial(conversation, async (): Promise<JoinOutcome> => {
      if (this.closed) return { ok: false, code: 'closed' };
      try {
        const admission: Admission = this.hub.has(this.member, conversation) ? { allowed: true } : await admit();
        if (this.closed) return { ok: false, code: 'closed' };
        if (!admission.allowed) {
          this.joined.delete(conversation);
          return { ok: false, code: 'refused', refusal: { code: admission.code, message: admission.message } };
        }
        if (!this.joined.has(conversation)) {
          // A leave of this conversation ran since the request was made and gave its place up: ask again.
          if (this.joined.size >= this.maxConversations) return { ok: false, code: 'too-many-conversations' };
          this.joined.add(conversation);
        }
        const replayed = await this.hub.join(this.member, conversation, admission.after);
        return this.closed ? { ok: false, code: 'closed' } : { ok: true, replayed };
      } catch (error) {
        this.joined.delete(conversation);
        return { ok: false, code: 'unavailable', error };
      }
    });
  }

  /** Leaves `conversation` (after any earlier request for it has finished). */
  leave(conversation: string): Promise<void> {
    return this.serial(conversation, async () => {
      this.joined.delete(conversation);
      await this.hub.leave(this.member, conversation);
    });
  }

  /** The socket closed: leaves every room, after the requests already queued for it. */
  close(): Promise<void> {
    this.closed = true;
    const conversations = new Set([...this.joined, ...this.queues.keys()]);
    this.joined.clear();
    return Promise.all([...conversations].map((c) => this.serial(c, () => this.hub.leave(this.member, c)))).then(() => undefined);
  }

  private serial<T>(conversation: string, task: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(conversation) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(conversation, tail);
    void tail.then(() => {
      if (this.queues.get(conversation) === tail) this.queues.delete(conversation);
    });
    return result;
  }
}
