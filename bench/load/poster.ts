/**
 * A load-generator process of events (forked by bench/load/pool.ts, commanded over IPC): offers events
 * open-loop at a fixed rate (on schedule whatever the answers), round-robin over the conversations, either
 * as Pub/Sub push deliveries to an event function (`http`) or straight into Redis with the publish script,
 * as an event function would (`redis`, the relay alone). Each message id carries its send time.
 */
import { createClient } from '@redis/client';
import { Agent, request } from 'node:http';
import { channelKey, dedupeKey, historyKey, lastIdKey, PUBLISH_SCRIPT } from '../../src/broker/redis';
import { serializeRecord } from '../../src/broker/event';
import { stampedId } from './ids';

export interface OfferCommand {
  readonly cmd: 'offer';
  readonly mode: 'http' | 'redis';
  /** The function's URL (`http`) or Redis's (`redis`). */
  readonly url: string;
  readonly eps: number;
  readonly seconds: number;
  readonly prefix: string;
  readonly conversations: number;
  /** This poster's place among `of` posters: it takes every `of`-th conversation from `index`. */
  readonly index: number;
  readonly of: number;
}

let sequence = 0;

function pushBody(conversation: string, messageId: string): string {
  const data = Buffer.from(JSON.stringify({ conversation, type: 'NEW_MESSAGE', newMessagePayload: { content: 'benchmark message', participantRole: 'END_USER' } })).toString('base64');
  return JSON.stringify({ message: { data, messageId, publishTime: new Date().toISOString(), attributes: {} }, subscription: 'projects/bench-project/subscriptions/bench' });
}

async function offer(command: OfferCommand): Promise<{ sent: number; acknowledged: number; failed: number }> {
  let acknowledged = 0;
  let failed = 0;
  let settled = 0;
  const agent = new Agent({ keepAlive: true, maxSockets: 128 });
  const target = new URL(command.url);
  const redis = command.mode === 'redis' ? createClient({ url: command.url }) : undefined;
  await redis?.connect();
  const sha = redis ? await redis.scriptLoad(PUBLISH_SCRIPT) : '';
  const send = (i: number): void => {
    const conversation = `${command.prefix}${(i * command.of + command.index) % command.conversations}`;
    const messageId = stampedId(sequence++);
    const done = (ok: boolean): void => {
      settled += 1;
      if (ok) acknowledged += 1;
      else failed += 1;
    };
    if (redis) {
      const record = { type: 'new-message-event' as const, conversation, messageId, publishTime: '', ackTime: new Date().toISOString(), attributes: {}, data: JSON.stringify({ conversation, type: 'NEW_MESSAGE', newMessagePayload: { content: 'benchmark message', participantRole: 'END_USER' } }) };
      redis
        .evalSha(sha, { keys: [dedupeKey(record), historyKey(conversation), channelKey(conversation), lastIdKey(conversation)], arguments: ['3600', '1000', '3600', serializeRecord(record), 'PUBLISH'] })
        .then(() => done(true), () => done(false));
      return;
    }
    const body = pushBody(conversation, messageId);
    const req = request({ host: target.hostname, port: target.port, path: '/', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      done(res.statusCode === 204);
      res.resume();
    });
    req.on('error', () => done(false));
    req.end(body);
  };
  const total = Math.round(command.eps * command.seconds);
  const started = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * command.eps));
      for (; sent < due; sent++) send(sent);
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  const deadline = performance.now() + 5000;
  while (settled < sent && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  agent.destroy();
  await redis?.close();
  return { sent, acknowledged, failed };
}

process.on('message', (command: OfferCommand | { cmd: 'close' }) => {
  if (command.cmd === 'close') return process.exit(0);
  void offer(command).then((result) => process.send?.({ cmd: 'offered', ...result }));
});
process.on('disconnect', () => process.exit(0));
