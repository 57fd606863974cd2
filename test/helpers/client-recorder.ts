/**
 * Records what a RelayClient and its subscriptions emit, and lets a test wait for it without sleeping.
 */
import type { ClientState, RelayClient, StateDetail } from '../../src/client/relay-client';
import type { RelayError, Subscription } from '../../src/client/subscription';
import type { RelayEvent } from '../../src/client/notifications';
import { Signal } from './signal';

export interface StateChange {
  readonly state: ClientState;
  readonly detail: StateDetail;
  readonly at: number;
}

export class ClientRecorder {
  readonly states: StateChange[] = [];
  readonly events = new Map<Subscription, RelayEvent[]>();
  readonly errors = new Map<Subscription, RelayError[]>();
  private readonly signal = new Signal();

  constructor(readonly client: RelayClient) {
    client.on('state', (state, detail) => {
      this.states.push({ state, detail, at: Date.now() });
      this.signal.notify();
    });
  }

  /** Subscribes through the client and records the subscription's events and errors. */
  subscribe(conversation: string, after?: string): Subscription {
    const sub = this.client.subscribe(conversation, { after });
    this.watch(sub);
    return sub;
  }

  watch(sub: Subscription): void {
    this.events.set(sub, []);
    this.errors.set(sub, []);
    sub.on('event', (event) => {
      this.events.get(sub)!.push(event);
      this.signal.notify();
    });
    sub.on('error', (error) => {
      this.errors.get(sub)!.push(error);
      this.signal.notify();
    });
  }

  count(state: ClientState): number {
    return this.states.filter((change) => change.state === state).length;
  }

  async until(predicate: () => boolean, timeoutMs = 15_000, what = 'condition'): Promise<void> {
    await this.signal.until(predicate, timeoutMs, () => `${what}; states ${JSON.stringify(this.states.map((s) => [s.state, s.detail.code, s.detail.delayMs])).slice(-600)}`);
  }

  async eventCount(sub: Subscription, count: number, timeoutMs = 15_000): Promise<RelayEvent[]> {
    await this.until(() => this.events.get(sub)!.length >= count, timeoutMs, `${this.events.get(sub)!.length} of ${count} events`);
    return this.events.get(sub)!;
  }

  async state(state: ClientState, atLeast = 1, timeoutMs = 15_000): Promise<void> {
    await this.until(() => this.count(state) >= atLeast, timeoutMs, `state ${state} ×${atLeast}`);
  }
}
