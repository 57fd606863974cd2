/**
 * How many frames a client may send: a token bucket per socket, so a desktop can join its conversations
 * in one burst while a client that floods the relay is closed instead of being answered forever.
 */

export interface FrameRate {
  /** Frames per second a socket may send on average. */
  readonly perSecond: number;
  /** Frames a socket may send at once (the bucket's size). */
  readonly burst: number;
}

export class FrameBudget {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: FrameRate,
    // A monotonic clock: a step of the wall clock must neither refill nor drain every socket's budget.
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = rate.burst;
    this.last = now();
  }

  /** Takes one frame's token; false when the socket is over its budget. */
  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.rate.burst, this.tokens + (Math.max(0, now - this.last) / 1000) * this.rate.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
