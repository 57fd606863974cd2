/**
 * Waiting on a condition that changes when something arrives, without polling or sleeping: whoever
 * changes the state calls `notify()`, and `until()` re-checks its predicate then.
 */
export class Signal {
  private waiters: Array<() => void> = [];

  /** Wakes every pending `until` so it re-checks its predicate. */
  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /**
   * Resolves once `predicate` holds; rejects after `timeoutMs`, or as soon as `failure` returns a message
   * (for example: the socket closed, so the awaited frames can never come).
   */
  async until(predicate: () => boolean, timeoutMs: number, describe: () => string, failure?: () => string | undefined): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      const failed = failure?.();
      if (failed !== undefined) throw new Error(failed);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out; ${describe()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}
