/**
 * The relay's resident memory per idle native-protocol connection: N desktops connected and joined to
 * nothing, the relay in its own process (so the clients' memory does not count), RSS read from /proc.
 */
import WebSocket from 'ws';
import { benchToken, settledRss, startRedis, startRelay, type Proc } from './harness';

export interface IdleResult {
  readonly protocol: 'native' | 'socketio';
  readonly clients: number;
  readonly rssBeforeBytes: number;
  readonly rssAfterBytes: number;
  readonly rssPerConnectionBytes: number;
}

async function connect(url: string, token: string, count: number): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let start = 0; start < count; start += 200) {
    const batch = [];
    for (let i = start; i < Math.min(count, start + 200); i++) {
      batch.push(
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` }, perMessageDeflate: false });
          ws.once('error', reject);
          ws.once('message', () => resolve(ws)); // the hello frame
        }),
      );
    }
    sockets.push(...(await Promise.all(batch)));
  }
  return sockets;
}

export async function nativeIdleRss(options: { clients: number }): Promise<IdleResult> {
  const redis = await startRedis();
  let relay: Proc | undefined;
  const sockets: WebSocket[] = [];
  try {
    relay = await startRelay({ REDIS_URL: redis.url });
    const url = `${relay.url.replace('http', 'ws')}/ws`;
    const token = await benchToken();
    for (const ws of await connect(url, token, Math.min(200, options.clients))) ws.terminate(); // warm the code paths
    const pid = relay.child.pid!;
    const rssBeforeBytes = await settledRss(pid);
    sockets.push(...(await connect(url, token, options.clients)));
    const rssAfterBytes = await settledRss(pid);
    return { protocol: 'native', clients: sockets.length, rssBeforeBytes, rssAfterBytes, rssPerConnectionBytes: Math.round((rssAfterBytes - rssBeforeBytes) / sockets.length) };
  } finally {
    for (const ws of sockets) ws.terminate();
    await relay?.stop();
    await redis.destroy();
  }
}
