/**
 * WebSocket heartbeat: every socket is pinged once per interval, and a socket that has not answered the
 * previous ping by its next turn is terminated. The sockets are spread over slices of the interval (one
 * slice a second at the default 25 s) rather than pinged all at once: a relay holding thousands of sockets
 * would otherwise stop delivering events for as long as one loop over all of them takes, every interval.
 */
/** What the heartbeat needs of a socket (a `ws` WebSocket). */
export interface HeartbeatSocket {
  ping(): void;
  terminate(): void;
  on(event: 'pong' | 'close', listener: () => void): unknown;
}

/** How many slices an interval of `intervalMs` is spread over: about one a second, at most 60. */
export function heartbeatSlices(intervalMs: number): number {
  return Math.max(1, Math.min(60, Math.round(intervalMs / 1000)));
}

export class Heartbeat {
  private readonly slices: Array<Set<HeartbeatSocket>>;
  private readonly alive = new WeakMap<HeartbeatSocket, boolean>();
  private next = 0;
  private turn = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs: number) {
    const count = heartbeatSlices(intervalMs);
    this.slices = Array.from({ length: count }, () => new Set<HeartbeatSocket>());
    this.timer = setInterval(() => this.tick(), intervalMs / count);
    this.timer.unref();
  }

  /** Watches a socket until it closes; it counts as alive until its first turn. */
  add(ws: HeartbeatSocket): void {
    const slice = this.slices[this.next];
    this.next = (this.next + 1) % this.slices.length;
    slice.add(ws);
    this.alive.set(ws, true);
    ws.on('pong', () => this.alive.set(ws, true));
    ws.on('close', () => slice.delete(ws));
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    const slice = this.slices[this.turn];
    this.turn = (this.turn + 1) % this.slices.length;
    for (const ws of slice) {
      if (this.alive.get(ws) === false) {
        slice.delete(ws);
        ws.terminate();
        continue;
      }
      this.alive.set(ws, false);
      ws.ping();
    }
  }
}
