/**
 * A chaos-suite desktop on the native protocol: joins one conversation, remembers the last event id,
 * and after every close reconnects (to whichever relay answers) and joins again with `after`, as
 * docs/relay-protocol.md tells a desktop to. It counts what a person would notice: each message once,
 * in id order, nothing twice on a connection or across reconnects.
 */
import WebSocket from 'ws';
import { compareEventIds } from '../../src/broker/event';

export interface DesktopCounts {
  /** Distinct messages received. */
  delivered: number;
  /** A message received twice on one connection. */
  duplicatedOnConnection: number;
  /** A message received again on a later connection (a resume that repeated it). */
  duplicatedAcrossReconnects: number;
  /** An event whose id was not above the previous one. */
  outOfOrder: number;
  reconnects: number;
}

export class ChaosDesktop {
  readonly counts: DesktopCounts = { delivered: 0, duplicatedOnConnection: 0, duplicatedAcrossReconnects: 0, outOfOrder: 0, reconnects: 0 };
  /** messageId → the connection (by number) that first received it. */
  readonly seen = new Map<string, number>();
  /** The first join was answered. */
  joined = false;
  private lastId?: string;
  private ws?: WebSocket;
  private connection = 0;
  private attempt = 0;
  private stopped = false;
  private timer?: NodeJS.Timeout;

  constructor(
    readonly conversation: string,
    private readonly relays: () => readonly string[],
    private readonly token: string,
    private relayIndex: number,
  ) {}

  /** Connects and resolves once the first join is answered. */
  start(): Promise<void> {
    return new Promise((resolve) => this.connect(resolve));
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.ws?.terminate();
  }

  private connect(onJoined?: () => void): void {
    if (this.stopped) return;
    const relays = this.relays();
    const url = relays[this.relayIndex % relays.length];
    this.connection += 1;
    const connection = this.connection;
    const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${this.token}` } });
    this.ws = ws;
    const join = (): void => ws.send(JSON.stringify({ type: 'join', conversation: this.conversation, after: this.lastId, ref: connection }));
    ws.on('open', join);
    ws.on('message', (raw) => {
      const frame = JSON.parse(raw.toString()) as { type: string; id?: string; messageId?: string; code?: string };
      if (frame.type === 'event') this.onEvent(frame.id!, frame.messageId!, connection);
      else if (frame.type === 'joined') {
        this.attempt = 0;
        this.joined = true;
        onJoined?.();
        onJoined = undefined;
      } else if (frame.type === 'error' && frame.code === 'unavailable') {
        this.timer = setTimeout(() => ws.readyState === WebSocket.OPEN && join(), 200);
      }
    });
    ws.on('error', () => undefined);
    ws.on('close', (code) => {
      if (this.stopped || this.ws !== ws) return;
      this.counts.reconnects += 1;
      // 1012: the relay is draining; go elsewhere at once. Anything else: back off a little, then elsewhere.
      this.relayIndex += 1;
      const delay = code === 1012 ? 0 : Math.min(50 * 2 ** this.attempt, 1000) * (0.5 + Math.random());
      this.attempt += 1;
      this.timer = setTimeout(() => this.connect(onJoined), delay);
    });
  }

  private onEvent(id: string, messageId: string, connection: number): void {
    const first = this.seen.get(messageId);
    if (first === undefined) {
      this.seen.set(messageId, connection);
      this.counts.delivered += 1;
    } else if (first === connection) {
      this.counts.duplicatedOnConnection += 1;
    } else {
      this.counts.duplicatedAcrossReconnects += 1;
    }
    if (this.lastId !== undefined && compareEventIds(id, this.lastId) <= 0) this.counts.outOfOrder += 1;
    else this.lastId = id;
  }
}
