/**
 * `npm run simulate`: plays a short call's notifications (all four types) into a running stack, the way
 * Pub/Sub push subscriptions deliver them, and, unless `--no-watch`, connects as a desktop first and
 * prints each event as it arrives.
 *
 *   npm run simulate -- [--url http://127.0.0.1:8080] [--conversation projects/P/locations/L/conversations/C]
 *                       [--token <JWT>] [--no-watch] [--delay-ms 300]
 *
 * With `--pubsub`, it publishes the same notifications to the real topics of a deployed project instead
 * (Application Default Credentials; see src/tools/simulate-pubsub.ts and docs/deploy.md), and watches the
 * deployed relay when `--url` and `--token` are given:
 *
 *   npm run simulate -- --pubsub --project P [--topic-prefix aa-] [--conversation …] [--url https://RELAY --token <JWT>]
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { pushEnvelopeOf, sampleCall } from '../samples/notifications';
import { publishSamples, pubsubPublisher } from './simulate-pubsub';

/** Nothing listens at `url`: say what to start, rather than fetch's bare "fetch failed". */
class Unreachable extends Error {}

function unreachable(url: string, error: unknown): Error {
  const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code;
  if (cause === 'ECONNREFUSED' || cause === 'ENOTFOUND' || cause === 'EHOSTUNREACH') {
    return new Unreachable(`nothing answers at ${url} (${cause}): start the stack first with \`npm start\` in another terminal, or pass --url <its address>`);
  }
  return error instanceof Error ? error : new Error(String(error));
}

async function register(url: string): Promise<string> {
  const response = await fetch(`${url}/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"gcp_agent_assist_user":"simulated-agent"}' }).catch(
    (error: unknown) => {
      throw unreachable(url, error);
    },
  );
  if (response.status !== 200) throw new Error(`POST /register answered ${response.status}; pass --token <JWT> when the stack requires a platform token`);
  return ((await response.json()) as { token: string }).token;
}

async function watch(url: string, token: string, conversation: string): Promise<WebSocket> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`, { headers: { Authorization: `Bearer ${token}` } });
  await new Promise<void>((resolve, reject) => {
    ws.once('error', (error) => reject(unreachable(url, error)));
    ws.on('message', (raw) => {
      const frame = JSON.parse(raw.toString()) as Record<string, unknown>;
      if (frame.type === 'hello') ws.send(JSON.stringify({ type: 'join', conversation, ref: 'join' }));
      else if (frame.type === 'joined') resolve();
      else if (frame.type === 'event') console.log(`event ${String(frame.id)}  ${String(frame.dataType)}  ${JSON.stringify(frame.data).slice(0, 110)}`);
      else if (frame.type === 'error') reject(new Error(`relay: ${String(frame.message)}`));
    });
  });
  console.log(`desktop joined ${conversation}`);
  return ws;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string', default: process.env.SIMULATE_URL ?? 'http://127.0.0.1:8080' },
      conversation: { type: 'string' },
      token: { type: 'string' },
      'no-watch': { type: 'boolean', default: false },
      'delay-ms': { type: 'string', default: '300' },
      pubsub: { type: 'boolean', default: false },
      project: { type: 'string', default: process.env.GCP_PROJECT_ID },
      'topic-prefix': { type: 'string', default: 'aa-' },
    },
  });
  if (values.pubsub) return simulatePubsub(values);
  const url = values.url.replace(/\/$/, '');
  const conversation = values.conversation ?? `projects/local-project/locations/global/conversations/sim-${Date.now()}`;
  const delay = Number(values['delay-ms']);
  const ws = values['no-watch'] ? undefined : await watch(url, values.token ?? (await register(url)), conversation);

  for (const sample of sampleCall(conversation)) {
    const response = await fetch(`${url}/${sample.type}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(pushEnvelopeOf(sample, randomUUID())),
    }).catch((error: unknown) => {
      throw unreachable(url, error);
    });
    console.log(`POST /${sample.type} → ${response.status}`);
    if (response.status >= 300) process.exitCode = 1;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  if (ws) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    ws.close();
  }
}

async function simulatePubsub(values: { project?: string; 'topic-prefix': string; conversation?: string; url: string; token?: string; 'delay-ms': string }): Promise<void> {
  if (!values.project) throw new Error('--pubsub needs --project (or GCP_PROJECT_ID)');
  const conversation = values.conversation ?? `projects/${values.project}/locations/global/conversations/sim-${Date.now()}`;
  // Watching needs a JWT from the deployed relay; without --token the messages are only published.
  const ws = values.token ? await watch(values.url.replace(/\/$/, ''), values.token, conversation) : undefined;
  const publisher = await pubsubPublisher(values.project);
  try {
    await publishSamples(sampleCall(conversation), {
      publish: publisher.publish,
      topicPrefix: values['topic-prefix'],
      delayMs: Number(values['delay-ms']),
      onPublished: (published) => console.log(`published ${published.type} → ${published.topic} (${published.messageId})`),
    });
  } finally {
    await publisher.close();
  }
  if (ws) {
    await new Promise((resolve) => setTimeout(resolve, 5000));
    ws.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
