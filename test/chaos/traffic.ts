/**
 * The chaos suite's Pub/Sub: posts push deliveries to an event route at a steady rate, and retries every
 * answer that is not 2xx (and every connection error) until it is, as a push subscription does: with
 * exponential backoff, and with a bounded number of deliveries outstanding (Pub/Sub's push flow control),
 * so an endpoint that was down is not buried under every retry at once when it comes back. What was
 * acknowledged is what every desktop of the conversation must receive.
 */
import { pushEnvelope } from '../helpers/events';

export interface TrafficOptions {
  readonly url: () => string;
  readonly conversations: readonly string[];
  readonly perSecond: number;
  /** Delay before a failed delivery is first tried again (it doubles with each failure, up to 2 s). */
  readonly retryMs?: number;
  /** Deliveries outstanding at once; the rest wait their turn. */
  readonly window?: number;
}

export class Traffic {
  /** Acknowledged message ids per conversation. */
  readonly accepted = new Map<string, Set<string>>();
  retries = 0;
  /** What the last failed attempt got (a status or an error), for failure messages. */
  lastFailure = '';
  private sent = 0;
  private aborted = false;
  private inFlight = 0;
  private outstanding = 0;
  private readonly waiting: Array<() => void> = [];
  private timer?: NodeJS.Timeout;
  private readonly prefix = `${process.pid}-${Date.now()}`;

  constructor(private readonly options: TrafficOptions) {
    for (const conversation of options.conversations) this.accepted.set(conversation, new Set());
  }

  start(): void {
    const started = Date.now();
    this.timer = setInterval(() => {
      const due = Math.floor(((Date.now() - started) / 1000) * this.options.perSecond);
      while (this.sent < due) this.send(this.sent++);
    }, 5);
  }

  /** Stops generating, and resolves once every delivery begun has been acknowledged. */
  async stop(timeoutMs = 60_000): Promise<void> {
    clearInterval(this.timer);
    const deadline = Date.now() + timeoutMs;
    while (this.inFlight > 0) {
      if (Date.now() > deadline) throw new Error(`${this.inFlight} deliveries never acknowledged (last failure: ${this.lastFailure})`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Gives up on every delivery still being retried (the run is over). */
  abort(): void {
    clearInterval(this.timer);
    this.aborted = true;
  }

  get total(): number {
    let n = 0;
    for (const set of this.accepted.values()) n += set.size;
    return n;
  }

  private send(n: number): void {
    const conversation = this.options.conversations[n % this.options.conversations.length];
    const messageId = `${this.prefix}-${n}`;
    const body = JSON.stringify(pushEnvelope({ conversation, type: 'NEW_MESSAGE', n }, { messageId }));
    this.inFlight += 1;
    const attempt = (): void => {
      if (this.aborted) return;
      if (this.outstanding >= (this.options.window ?? 200)) {
        this.waiting.push(attempt);
        return;
      }
      this.outstanding += 1;
      const done = (): void => {
        this.outstanding -= 1;
        this.waiting.shift()?.();
      };
      fetch(`${this.options.url()}/new-message-event`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(10_000) })
        .then(async (response) => {
          await response.arrayBuffer();
          done();
          if (response.status >= 200 && response.status < 300) {
            this.accepted.get(conversation)!.add(messageId);
            this.inFlight -= 1;
          } else retry(`HTTP ${response.status}`);
        })
        .catch((error: unknown) => {
          done();
          retry(String((error as { cause?: unknown }).cause ?? error));
        });
    };
    let failures = 0;
    // Exponential backoff with jitter, as a push subscription's retry policy backs off.
    const retry = (why: string): void => {
      if (this.aborted) return;
      this.lastFailure = why;
      this.retries += 1;
      failures += 1;
      const base = Math.min((this.options.retryMs ?? 100) * 2 ** (failures - 1), 2000);
      setTimeout(attempt, base * (0.5 + Math.random()));
    };
    attempt();
  }
}
