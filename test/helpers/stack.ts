/**
 * Builds relays and stacks for tests the way `npm start` and the relay container build them, on a free
 * port, and real `ws` clients that speak the native protocol.
 */
import { once } from 'node:events';
import WebSocket from 'ws';
import { signToken } from '../../src/auth/jwt';
import { buildServer, type BuiltServer } from '../../src/app/server';
import { createLogger } from '../../src/log';
import { Signal } from './signal';

export const TEST_SECRET = 'test-secret-that-is-long-enough-0123456789';
export const TEST_PROJECT = 'test-project';

export interface RunningServer extends BuiltServer {
  readonly url: string;
  readonly wsUrl: string;
  /** A token for `user` signed with the server's current key. */
  token(user?: string): string;
}

export async function startServer(env: Record<string, string> = {}, options: { mountFunctions?: boolean; local?: boolean } = {}): Promise<RunningServer> {
  const built = await buildServer({
    env: { JWT_SECRET: TEST_SECRET, GCP_PROJECT_ID: TEST_PROJECT, HOST: '127.0.0.1', PORT: '0', ...env },
    local: options.local ?? false,
    mountFunctions: options.mountFunctions ?? true,
    log: createLogger('test-stack'),
  });
  built.relay.server.listen(0, '127.0.0.1');
  await once(built.relay.server, 'listening');
  const address = built.relay.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    ...built,
    close: built.close,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    token: (user = 'agent') => signToken(built.context.jwt, user).token,
  };
}

export interface Frame {
  type: string;
  [key: string]: unknown;
}

/** A native-protocol client that records every frame and lets a test wait for the ones it expects. */
export class NativeClient {
  readonly frames: Frame[] = [];
  closeCode?: number;
  private readonly signal = new Signal();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as Frame);
      this.signal.notify();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      this.signal.notify();
    });
  }

  static async connect(url: string, token: string): Promise<NativeClient> {
    const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` } });
    const client = new NativeClient(ws);
    await once(ws, 'open');
    await client.waitFor((frames) => frames.some((f) => f.type === 'hello'));
    return client;
  }

  get events(): Frame[] {
    return this.frames.filter((frame) => frame.type === 'event');
  }

  send(frame: object): void {
    this.ws.send(JSON.stringify(frame));
  }

  /** Joins and resolves with the `joined` (or `error`) frame answering it. */
  async join(conversation: string, after?: string): Promise<Frame> {
    const ref = `join-${Math.random()}`;
    this.send({ type: 'join', conversation, after, ref });
    return this.reply(ref);
  }

  async leave(conversation: string): Promise<Frame> {
    const ref = `leave-${Math.random()}`;
    this.send({ type: 'leave', conversation, ref });
    return this.reply(ref);
  }

  async reply(ref: string): Promise<Frame> {
    await this.waitFor((frames) => frames.some((f) => f.ref === ref));
    return this.frames.find((f) => f.ref === ref)!;
  }

  /** Resolves once `count` event frames have arrived. */
  async eventCount(count: number, timeoutMs = 10_000): Promise<Frame[]> {
    await this.waitFor(() => this.events.length >= count, timeoutMs);
    return this.events;
  }

  /** Resolves when the socket has closed, with its close code. */
  async closed(timeoutMs = 10_000): Promise<number> {
    await this.waitFor(() => this.closeCode !== undefined, timeoutMs);
    return this.closeCode!;
  }

  async waitFor(predicate: (frames: Frame[]) => boolean, timeoutMs = 10_000): Promise<void> {
    await this.signal.until(
      () => predicate(this.frames),
      timeoutMs,
      () => `frames so far: ${JSON.stringify(this.frames).slice(0, 500)}`,
      () => (this.closeCode === undefined ? undefined : `socket closed (${this.closeCode}) before the expected frames; got ${JSON.stringify(this.frames.map((f) => f.type))}`),
    );
  }

  close(): void {
    this.ws.close();
  }
}

/** Posts a push envelope to an event route; resolves with the status. */
export async function postEvent(baseUrl: string, path: string, envelope: unknown, headers: Record<string, string> = {}): Promise<number> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(envelope),
  });
  await response.arrayBuffer();
  return response.status;
}
