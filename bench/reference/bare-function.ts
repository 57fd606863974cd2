/**
 * The bare reference event function: a `node:http` handler doing the same work as the project's
 * function for a Pub/Sub push delivery (read the body, decode the base64 notification, find its
 * conversation, run the same publish script through @redis/client) and nothing more: no framework, no
 * validation beyond what it needs, no logging or counters. Run as a process: PORT, REDIS_URL.
 */
import { createClient } from '@redis/client';
import { createServer } from 'node:http';
import { PUBLISH_SCRIPT } from '../../src/broker/redis';
import { publishCall, type PushMessage } from './publish-command';

const redis = createClient({ url: process.env.REDIS_URL });
let sha = '';

const server = createServer((req, res) => {
  if (req.method !== 'POST') return void res.writeHead(200).end('ok'); // the harness's readiness probe
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const { message } = JSON.parse(Buffer.concat(chunks).toString()) as { message: PushMessage };
    redis.evalSha(sha, publishCall(message)).then(
      () => res.writeHead(204).end(),
      () => res.writeHead(503).end(),
    );
  });
});

void redis.connect().then(async () => {
  sha = await redis.scriptLoad(PUBLISH_SCRIPT);
  server.listen(Number(process.env.PORT), '127.0.0.1');
});
