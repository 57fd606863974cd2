/**
 * A small typed event emitter for the browser and Node alike (no `events` module in a browser).
 * A listener that throws does not break the client: its error is rethrown on a fresh task, where the
 * page's or process's own error handling sees it, after the client has finished its bookkeeping.
 */
// Listeners of every event share one set type; `on` and `emit` keep their arguments typed.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Listener = (...args: any[]) => void;

export class Emitter<Events extends Record<string, unknown[]>> {
  private readonly listeners = new Map<keyof Events, Set<Listener>>();

  /** Calls `listener` each time `name` is emitted. */
  on<K extends keyof Events>(name: K, listener: (...args: Events[K]) => void): this {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener as Listener);
    return this;
  }

  /** Stops calling `listener` for `name`. */
  off<K extends keyof Events>(name: K, listener: (...args: Events[K]) => void): this {
    this.listeners.get(name)?.delete(listener as Listener);
    return this;
  }

  protected emit<K extends keyof Events>(name: K, ...args: Events[K]): void {
    for (const listener of [...(this.listeners.get(name) ?? [])]) {
      try {
        (listener as (...args: unknown[]) => void)(...(args as unknown[]));
      } catch (error) {
        setTimeout(() => {
          throw error;
        }, 0);
      }
    }
  }
}
