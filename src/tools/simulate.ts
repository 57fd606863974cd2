/**
 * `npm run simulate`: plays a short call's notifications (all four types) into a running stack, the way
 * Pub/Sub push subscriptions deliver them, and, unless `--no-watch`, connects as a desktop first (with the
 * project's own client, src/client/relay-client.ts) and prints each event as it arrives.
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
import { RelayClient } from '../client/relay-client';
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

/** The project a JWT was issued for (its payload, unverified: only to name a conversation it may join). */
function projectOf(token: string): string | undefined {
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { gcp_agent_assist_project?: unknown };
    return typeof claims.gcp_agent_assist_project === 'string' ? claims.gcp_agent_assist_project : undefined;
  } catch {
    return undefined;
  }
}

/** A desktop watching one conversation through the project's own client (src/client/). */
interface Watcher {
  /** Events printed so far. */
  readonly received: () => number;
  /** Resolves once `count` events arrived, or after `timeoutMs`. */
  waitFor(count: number, timeoutMs: number): Promise<void>;
  close(): void;
}

/**
 * Connects as a desktop and joins `conversation`; resolves once joined. The token is `--token` when given,
 * else one from `POST /register`, registered again when the relay asks for a fresh one.
 */
async function watch(url: string, token: string | undefined, conversation: string, canRegister = token === undefined): Promise<Watcher> {
  const client = new RelayClient({
    url: `${url.replace(/^http/, 'ws')}/ws`,
    WebSocket,
    getToken: async (renew) => (token !== undefined && !(renew && canRegister) ? token : (token = await register(url))),
  });
  let received = 0;
  let wake = (): void => undefined;
  const sub = client.subscribe(conversation);
  sub.on('event', (event) => {
    received += 1;
    console.log(`event ${event.id}  ${event.dataType}  ${JSON.stringify(event.data).slice(0, 110)}`);
    wake();
  });
  try {
    await new Promise<void>((resolve, reject) => {
      sub.on('joined', () => resolve());
      sub.on('error', (error) => (error.retrying ? undefined : reject(new Error(`relay refused the join: ${error.message}`))));
      // Before the first join, a failure is reported rather than retried: the stack is probably not running.
      client.on('state', (state, detail) => {
        if (state === 'disconnected' || state === 'closed') {
          const why = detail.error instanceof Error ? detail.error.message : `${detail.code ?? ''} ${detail.reason ?? ''}`.trim();
          reject(new Error(`could not connect to ${url.replace(/^http/, 'ws')}/ws (${why || state})`));
        }
      });
    });
  } catch (error) {
    client.close();
    throw error;
  }
  console.log(`desktop joined ${conversation}`);
  return {
    received: () => received,
    async waitFor(count, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (received < count && Date.now() < deadline) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, deadline - Date.now());
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    },
    close: () => client.close(),
  };
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
  const token = values['no-watch'] ? undefined : (values.token ?? (await register(url)));
  // A token opens only its own project's conversations: the default conversation is one of them.
  const project = (token === undefined ? undefined : projectOf(token)) ?? values.project ?? 'local-project';
  const conversation = values.conversation ?? `projects/${project}/locations/global/conversations/sim-${Date.now()}`;
  const delay = Number(values['delay-ms']);
  const watcher = token === undefined ? undefined : await watch(url, token, conversation, values.token === undefined);

  let accepted = 0;
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
    else accepted += 1;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  if (watcher) {
    await watcher.waitFor(accepted, 5000);
    watcher.close();
    if (watcher.received() < accepted) {
      console.error(`received ${watcher.received()} of ${accepted} events`);
      process.exitCode = 1;
    }
  }
}

async function simulatePubsub(values: { project?: string; 'topic-prefix': string; conversation?: string; url: string; token?: string; 'delay-ms': string }): Promise<void> {
  if (!values.project) throw new Error('--pubsub needs --project (or GCP_PROJECT_ID)');
  const conversation = values.conversation ?? `projects/${values.project}/locations/global/conversations/sim-${Date.now()}`;
  // Watching needs a JWT from the deployed relay; without --token the messages are only published.
  const watcher = values.token ? await watch(values.url.replace(/\/$/, ''), values.token, conversation) : undefined;
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
  if (watcher) {
    // Pub/Sub push takes a moment; each published message should come back as one event.
    await watcher.waitFor(sampleCall(conversation).length, 15_000);
    watcher.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
