/**
 * The job's floor under the framework: an HTTP function under the same functions-framework as the event
 * functions that does the least an event function must do for a Pub/Sub push delivery (decode the
 * base64 notification, parse it to find its conversation, run the same publish script through
 * @redis/client) and nothing more: no checks of the delivery's form, no dedupe of odd inputs, no logging,
 * counters or error mapping. Beside the no-op function it shows what the job itself costs there; the
 * project's function is measured against the no-op (`bench/figures/function-cpu.ts`). REDIS_URL.
 */
import { http } from '@google-cloud/functions-framework';
import { createClient } from '@redis/client';
import { channelKey, dedupeKey, historyKey, lastIdKey, PUBLISH_SCRIPT } from '../../src/broker/redis';

const redis = createClient({ url: process.env.REDIS_URL });
let sha = '';
void redis.connect().then(async () => {
  sha = await redis.scriptLoad(PUBLISH_SCRIPT);
});

interface Push {
  message: { data: string; messageId: string; publishTime?: string; attributes?: Record<string, string> };
}

http('minimalEvent', (req, res) => {
  if (req.method !== 'POST') return void res.status(200).end('ok'); // the harness's readiness probe
  if (sha === '') return void res.status(503).end();
  const { message } = req.body as Push;
  const data = Buffer.from(message.data, 'base64').toString();
  const conversation = String((JSON.parse(data) as { conversation: string }).conversation);
  const record = JSON.stringify({
    type: 'new-message-event',
    conversation,
    messageId: message.messageId,
    publishTime: message.publishTime ?? '',
    ackTime: new Date().toISOString(),
    attributes: message.attributes ?? {},
    data,
  });
  const keys = [dedupeKey({ conversation, type: 'new-message-event', messageId: message.messageId }), historyKey(conversation), channelKey(conversation), lastIdKey(conversation)];
  redis.sendCommand(['EVALSHA', sha, '4', ...keys, '86400', '1000', '86400', record, 'PUBLISH']).then(
    () => res.status(204).end(),
    () => res.status(503).end(),
  );
});
