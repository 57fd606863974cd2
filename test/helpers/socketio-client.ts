/**
 * A desktop as the UI modules are one: a real `socket.io-client` v4 socket that records every event it
 * is given (name and payload, in arrival order) and lets a test wait for what it expects.
 */
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { Signal } from './signal';

export interface Received {
  readonly event: string;
  readonly payload: Record<string, unknown>;
}

export type JoinAck = [ok: boolean, result: string];

export class SioDesktop {
  readonly received: Received[] = [];
  private readonly signal = new Signal();

  private constructor(readonly socket: Socket) {
    socket.onAny((event: string, payload: Record<string, unknown>) => {
      this.received.push({ event, payload });
      this.signal.notify();
    });
    socket.on('connect', () => this.signal.notify());
    socket.on('disconnect', () => this.signal.notify());
  }

  /** Opens a socket (nothing awaited); `connected()` waits for the handshake. */
  static open(url: string, token: string | undefined, options: Partial<ManagerOptions & SocketOptions> = {}): SioDesktop {
    return new SioDesktop(io(url, { auth: token === undefined ? {} : { token }, transports: ['websocket'], reconnection: false, forceNew: true, ...options }));
  }

  /** Connects and resolves once the relay accepted the handshake. */
  static async connect(url: string, token: string, options: Partial<ManagerOptions & SocketOptions> = {}): Promise<SioDesktop> {
    const desktop = SioDesktop.open(url, token, options);
    await desktop.connected();
    return desktop;
  }

  async connected(timeoutMs = 10_000): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      if (this.socket.connected) return resolve();
      const timer = setTimeout(() => reject(new Error('no connect')), timeoutMs);
      this.socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      this.socket.once('connect_error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  /** Emits a room event and resolves with both acknowledgement arguments. */
  async request(event: 'join-conversation' | 'leave-conversation', ...args: unknown[]): Promise<JoinAck> {
    return new Promise<JoinAck>((resolve) => this.socket.emit(event, ...args, (ok: boolean, result: string) => resolve([ok, result])));
  }

  join(...args: unknown[]): Promise<JoinAck> {
    return this.request('join-conversation', ...args);
  }

  leave(...args: unknown[]): Promise<JoinAck> {
    return this.request('leave-conversation', ...args);
  }

  /** Events received whose payload belongs to `conversation`. */
  eventsOf(conversation: string): Received[] {
    return this.received.filter((r) => r.payload?.conversation_name === conversation);
  }

  /** Resolves once `count` events of `conversation` have arrived (and returns them). */
  async eventCount(conversation: string, count: number, timeoutMs = 10_000): Promise<Received[]> {
    await this.waitFor(() => this.eventsOf(conversation).length >= count, timeoutMs);
    return this.eventsOf(conversation);
  }

  async waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
    await this.signal.until(predicate, timeoutMs, () => `received so far: ${JSON.stringify(this.received.map((r) => r.event))}`);
  }

  close(): void {
    this.socket.disconnect();
  }
}
