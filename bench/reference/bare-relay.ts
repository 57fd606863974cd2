/**
 * The bare reference relay: what a minimal plain relay does for the same desktops, and nothing more.
 * A `node:http` server and a `ws` server; the token verified on the upgrade (jsonwebtoken, HS256, one
 * cached key); a `join` subscribes to the conversation's channel (one subscription per conversation,
 * through @redis/client); each channel message is parsed once and its native event frame sent to the
 * conversation's sockets. No access rules, history, gap detection, limits or metrics: the floor the
 * project's relay is measured against. Run as a process: PORT, REDIS_URL, JWT_SECRET.
 */
import { createClient } from '@redis/client';
import jwt from 'jsonwebtoken';
import { createSecretKey } from 'node:crypto';
import { createServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

const key = createSecretKey(Buffer.from(process.env.JWT_SECRET ?? ''));
const rooms = new Map<string, Set<WebSocket>>();
const subscriber = createClient({ url: process.env.REDIS_URL });

function onMessage(message: string): void {
  const first = message.indexOf(' ');
  const second = message.indexOf(' ', first + 1);
  const id = message.slice(0, first);
  const record = JSON.parse(message.slice(second + 1)) as Record<string, unknown>;
  const frame =
    `{"type":"event","id":${JSON.stringify(id)},"conversation":${JSON.stringify(record.conversation)}` +
    `,"dataType":${JSON.stringify(record.type)},"messageId":${JSON.stringify(record.messageId)}` +
    `,"publishTime":${JSON.stringify(record.publishTime)},"ackTime":${JSON.stringify(record.ackTime)}` +
    `,"attributes":${JSON.stringify(record.attributes)},"data":${String(record.data)}}`;
  for (const ws of rooms.get(String(record.conversation)) ?? []) ws.send(frame);
}

async function join(ws: WebSocket, conversation: string): Promise<void> {
  let room = rooms.get(conversation);
  if (!room) {
    room = new Set();
    rooms.set(conversation, room);
    await subscriber.subscribe(`aa:{${conversation}}:c`, onMessage);
  }
  room.add(ws);
  ws.once('close', () => room.delete(ws));
  ws.send(JSON.stringify({ type: 'joined', conversation }));
}

const server = createServer((_req, res) => res.writeHead(200).end('ok'));
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
server.on('upgrade', (req, socket, head) => {
  const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
  let user: string;
  try {
    user = String((jwt.verify(token, key, { algorithms: ['HS256'] }) as jwt.JwtPayload).gcp_agent_assist_user);
  } catch {
    socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.send(JSON.stringify({ type: 'hello', protocol: 'aa-relay.v1', user }));
    ws.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as { type?: string; conversation?: string };
      if (frame.type === 'join' && typeof frame.conversation === 'string') void join(ws, frame.conversation);
    });
  });
});

void subscriber.connect().then(() => server.listen(Number(process.env.PORT), '127.0.0.1'));
