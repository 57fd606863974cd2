/**
 * Open sockets per user on one relay instance (`RELAY_MAX_SOCKETS_PER_USER`), counted across both
 * protocols: one token cannot hold an unbounded share of an instance. The count is per instance on
 * purpose: it needs no shared state, and the bound on a user is this limit times the instances.
 */
export class UserSocketLimit {
  private readonly open = new Map<string, number>();

  constructor(readonly max: number) {}

  /**
   * Counts one more socket of `user`, or returns undefined when the user already holds `max`. The
   * returned release is idempotent, so it can be tied to every way a socket can end.
   */
  acquire(user: string): (() => void) | undefined {
    const count = this.open.get(user) ?? 0;
    if (count >= this.max) return undefined;
    this.open.set(user, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(user) ?? 1) - 1;
      if (left > 0) this.open.set(user, left);
      else this.open.delete(user);
    };
  }

  /** Sockets `user` holds now. */
  count(user: string): number {
    return this.open.get(user) ?? 0;
  }
}
