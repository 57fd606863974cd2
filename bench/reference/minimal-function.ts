/**
 * The job's floor under the framework: an HTTP function under the same functions-framework as the event
 * functions that does the least an event function must do for a Pub/Sub push delivery (decode the
 * base64 notification, parse it to find its conversation, run the same publish script through
 * @redis/client) and nothing more: no checks of the delivery's form or of its notification, no logging,
 * counters or error mapping. Beside the no-op function it shows what the job itself costs there; the
 * project's function is measured against the no-op (`bench/figures/function-cpu.ts`). REDIS_URL.
 */
import { http } from '@google-cloud/functions-framework';
import { createClient } from '@redis/client';
import { PUBLISH_SCRIPT } from '../../src/broker/redis';
import { publishCall, type PushMessage } from './publish-command';

const redis = createClient({ url: process.env.REDIS_URL });
let sha = '';
void redis.connect().then(async () => {
  sha = await redis.scriptLoad(PUBLISH_SCRIPT);
});

http('minimalEvent', (req, res) => {
  if (req.method !== 'POST') return void res.status(200).end('ok'); // the harness's readiness probe
  if (sha === '') return void res.status(503).end();
  const { message } = req.body as { message: PushMessage };
  const { keys, arguments: args } = publishCall(message);
  redis.sendCommand(['EVALSHA', sha, String(keys.length), ...keys, ...args]).then(
    () => res.status(204).end(),
    () => res.status(503).end(),
  );
});
