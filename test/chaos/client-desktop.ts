/**
 * A chaos-suite desktop built on the project's own client (src/client/), as a desktop developer would
 * use it: one subscription, the client resuming, reconnecting and de-duplicating by itself. It counts what
 * the application sees, the same way as the hand-written desktop (desktop.ts) counts what the relay sends.
 */
import WebSocket from 'ws';
import { RelayClient } from '../../src/client/relay-client';
import { compareEventIds } from '../../src/broker/event';
import type { DesktopCounts } from './desktop';

export class ClientDesktop {
  readonly counts: DesktopCounts = { delivered: 0, duplicatedOnConnection: 0, duplicatedAcrossReconnects: 0, outOfOrder: 0, reconnects: 0 };
  readonly seen = new Map<string, number>();
  joined = false;
  private lastId?: string;
  private client?: RelayClient;

  constructor(
    readonly conversation: string,
    private readonly url: string,
    private readonly token: string,
  ) {}

  start(): Promise<void> {
    const client = new RelayClient({ url: this.url, WebSocket, getToken: () => this.token, minReconnectDelayMs: 100, maxReconnectDelayMs: 1000 });
    this.client = client;
    let connections = 0;
    client.on('state', (state) => {
      if (state === 'connected') connections += 1;
      if (state === 'disconnected') this.counts.reconnects += 1;
    });
    const sub = client.subscribe(this.conversation);
    sub.on('event', (event) => {
      if (this.seen.has(event.messageId)) this.counts.duplicatedAcrossReconnects += 1;
      else {
        this.seen.set(event.messageId, connections);
        this.counts.delivered += 1;
      }
      if (this.lastId !== undefined && compareEventIds(event.id, this.lastId) <= 0) this.counts.outOfOrder += 1;
      else this.lastId = event.id;
    });
    return new Promise((resolve) =>
      sub.on('joined', () => {
        this.joined = true;
        resolve();
      }),
    );
  }

  stop(): void {
    this.client?.close();
  }
}
