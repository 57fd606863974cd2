/**
 * A load-generator process of desktops (forked by bench/load/pool.ts, commanded over IPC): connects its
 * share of desktops to a relay, native protocol or Socket.IO, each joined to its own conversation, and
 * records the latency of every event it receives from the send time carried in the message id
 * (bench/load/ids.ts). Several run at once so the clients are not the bottleneck.
 *
 * Socket.IO desktops come in two kinds: `socketio`, the real socket.io-client (WebSocket transport), and
 * `socketio-wire`, which speaks the same protocol itself over `ws` (Engine.IO v4 over WebSocket, Socket.IO
 * v5 packets: https://socket.io/docs/v4/engine-io-protocol/, https://socket.io/docs/v4/socket-io-protocol/).
 * The relay does the same work for both (the handshake, CONNECT with the token as `auth`, the join and its
 * acknowledgement, the relay's pings answered, events pushed); the second costs the generator a fraction
 * of what socket.io-client does, so thousands of them do not leave the generator the bottleneck.
 * test/bench-harness.test.ts runs both against the project's relay on the same events.
 */
import WebSocket from 'ws';
import { io, type Socket } from 'socket.io-client';
import { latencyOf } from './ids';

export interface ConnectCommand {
  readonly cmd: 'connect';
  readonly protocol: DesktopProtocol;
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

export type DesktopProtocol = 'native' | 'socketio' | 'socketio-wire';

export type Command = ConnectCommand | { readonly cmd: 'collect' } | { readonly cmd: 'close' };

const closers: Array<() => void> = [];
let latencies: number[] = [];

/** A native `event` frame (`messageId`) or a Socket.IO EVENT packet (`message_id`), read as text. */
function onEventText(text: string): void {
  const match = /"(?:messageId|message_id)":"([^"]+)"/.exec(text);
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

/** A Socket.IO desktop as the protocol has it, over `ws` (see the top of this file). */
function socketioWire(command: ConnectCommand, i: number): Promise<void> {
  const conversation = `${command.prefix}${command.first + i}`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${command.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`, { perMessageDeflate: false });
    closers.push(() => ws.terminate());
    // Like socket.io-client's `timeout` in `socketio` above, and as it closes its connection when the join fails.
    const timer = setTimeout(() => fail(new Error('no join within 60 s')), 60_000);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      ws.terminate();
      reject(error);
    };
    ws.once('error', fail);
    ws.once('close', () => fail(new Error('closed before joining'))); // after the join, a no-op
    ws.on('message', (raw) => {
      const text = raw.toString();
      // Engine.IO packet types: 0 open, 1 close, 2 ping (answered 3, pong), 4 message, whose first character
      // is the Socket.IO packet type: 0 CONNECT, 1 DISCONNECT, 2 EVENT, 3 ACK, 4 CONNECT_ERROR; `420`/`430`
      // carry ack id 0.
      if (text.startsWith('42')) return onEventText(text);
      if (text === '2') return ws.send('3');
      if (text.startsWith('0')) return ws.send(`40${JSON.stringify({ token: command.token })}`);
      if (text.startsWith('40')) return ws.send(`420${JSON.stringify(['join-conversation', conversation])}`);
      if (text.startsWith('430')) {
        let answer: unknown;
        try {
          answer = JSON.parse(text.slice(3));
        } catch {
          return fail(new Error(`unreadable acknowledgement: ${text.slice(0, 200)}`));
        }
        const [ok, result] = Array.isArray(answer) ? (answer as [unknown, unknown]) : [false, answer];
        if (ok !== true) return fail(new Error(String(result)));
        clearTimeout(timer);
        return resolve();
      }
      if (text.startsWith('44') || text.startsWith('41') || text === '1') fail(new Error(text));
    });
  });
}

const OPENERS: Record<DesktopProtocol, (command: ConnectCommand, i: number) => Promise<void>> = { native, socketio, 'socketio-wire': socketioWire };

async function connect(command: ConnectCommand): Promise<{ failed: number }> {
  const open = OPENERS[command.protocol];
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
