/**
 * A load-generator process of desktops (forked by bench/load/pool.ts, commanded over IPC): connects its
 * share of desktops to a relay, native protocol or Socket.IO, each joined to its own conversation, and
 * records the latency of every event it receives from the send time carried in the message id
 * (bench/load/ids.ts). Several run at once so the clients are not the bottleneck.
 */
import WebSocket from 'ws';
import { io, type Socket } from 'socket.io-client';
import { latencyOf } from './ids';

export interface ConnectCommand {
  readonly cmd: 'connect';
  readonly protocol: 'native' | 'socketio';
  /** Relay base URL (`http://127.0.0.1:PORT`). */
  readonly url: string;
  readonly token: string;
  /** Conversations `${prefix}${first}` … `${prefix}${first + count - 1}`, one per desktop. */
  readonly prefix: string;
  readonly first: number;
  readonly count: number;
  /** Desktops connecting at once. */
  readonly concurrency: number;
}

export type Command = ConnectCommand | { readonly cmd: 'collect' } | { readonly cmd: 'close' };

const closers: Array<() => void> = [];
let latencies: number[] = [];

function onEventText(text: string): void {
  const match = /"messageId":"([^"]+)"/.exec(text);
  const latency = match ? latencyOf(match[1]) : undefined;
  if (latency !== undefined) latencies.push(latency);
}

function native(command: ConnectCommand, i: number): Promise<void> {
  const conversation = `${command.prefix}${command.first + i}`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${command.url.replace('http', 'ws')}/ws`, 'aa-relay.v1', {
      headers: { Authorization: `Bearer ${command.token}` },
      perMessageDeflate: false,
    });
    closers.push(() => ws.terminate());
    ws.once('error', reject);
    ws.on('message', (raw) => {
      const text = raw.toString();
      if (text.startsWith('{"type":"event"')) return onEventText(text);
      if (text.includes('"type":"hello"')) return ws.send(JSON.stringify({ type: 'join', conversation }));
      if (text.includes('"type":"joined"')) return resolve();
      if (text.includes('"type":"error"')) reject(new Error(text));
    });
  });
}

function socketio(command: ConnectCommand, i: number): Promise<void> {
  const conversation = `${command.prefix}${command.first + i}`;
  return new Promise((resolve, reject) => {
    const socket: Socket = io(command.url, { auth: { token: command.token }, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 60_000 });
    closers.push(() => socket.disconnect());
    socket.on('new-message-event', (payload: { message_id?: string }) => {
      const latency = latencyOf(payload.message_id ?? '');
      if (latency !== undefined) latencies.push(latency);
    });
    socket.once('connect_error', reject);
    socket.once('connect', () => {
      socket.emit('join-conversation', conversation, (ok: boolean, result: string) => (ok ? resolve() : reject(new Error(result))));
    });
  });
}

async function connect(command: ConnectCommand): Promise<{ failed: number }> {
  const open = command.protocol === 'native' ? native : socketio;
  let next = 0;
  let failed = 0;
  const lane = async (): Promise<void> => {
    while (next < command.count) {
      const i = next++;
      await open(command, i).catch(() => (failed += 1));
    }
  };
  await Promise.all(Array.from({ length: Math.min(command.concurrency, command.count) }, lane));
  return { failed };
}

process.on('message', (command: Command) => {
  const reply = (message: object): void => void process.send?.(message);
  if (command.cmd === 'connect') {
    void connect(command).then((result) => reply({ cmd: 'connected', ...result }));
  } else if (command.cmd === 'collect') {
    reply({ cmd: 'collected', latencies });
    latencies = [];
  } else {
    for (const close of closers) close();
    setTimeout(() => process.exit(0), 200);
  }
});
process.on('disconnect', () => process.exit(0));
