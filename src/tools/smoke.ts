/**
 * `npm run smoke`: the operator's end-to-end check after deploying. With a real project, conversation
 * profile (whose notifications go to the deployed event functions) and credentials, it:
 * 1. gets a JWT from the deployed relay's `/register` (with the platform token given, if any);
 * 2. connects a desktop to the relay's native WebSocket (`/ws`, `Authorization: Bearer <JWT>`);
 * 3. creates a conversation with `@google-cloud/dialogflow`, joins it on the socket;
 * 4. adds an end user and a human agent, sends one end-user message (analyzeContent);
 * 5. waits until an event of each expected type reaches the desktop, then completes the conversation.
 * Exit code 0 when every expected event arrived in time, 1 otherwise.
 *
 *   npm run build && npm run smoke -- --relay https://RELAY --project P --location global \
 *     --profile PROFILE_ID [--platform-token TOKEN] [--message TEXT] [--expect new-message-event] [--timeout 60]
 *
 * Dialogflow is called over REST (`fallback: true`), the same transport in production and in the test that
 * runs this against a local stand-in (`--dialogflow-endpoint`), so only Google's side is unexercised there.
 */
import { v2 } from '@google-cloud/dialogflow';
import { once } from 'node:events';
import WebSocket from 'ws';

type ClientOptions = NonNullable<ConstructorParameters<typeof v2.ConversationsClient>[0]>;

export interface SmokeOptions {
  /** Base URL of the deployed relay (`https://…`). */
  readonly relayUrl: string;
  /** What `/register` checks (the contact-center platform's token); omitted when registration needs none. */
  readonly platformToken?: string;
  readonly project: string;
  readonly location: string;
  /** A conversation profile id, or its full name. */
  readonly profile: string;
  readonly message: string;
  /** Event types (`new-message-event`, …) that must reach the desktop. */
  readonly expect: readonly string[];
  readonly timeoutMs: number;
  /** Overrides the Dialogflow endpoint (`http://127.0.0.1:PORT` for the local stand-in). */
  readonly dialogflowEndpoint?: string;
  /** Overrides Application Default Credentials (tests). */
  readonly authClient?: ClientOptions['authClient'];
}

export interface SmokeResult {
  readonly conversation: string;
  /** Each expected event type and the milliseconds from sending the message until it arrived. */
  readonly arrived: Record<string, number>;
}

type Frame = { type?: string; ref?: string; dataType?: string; conversation?: string; code?: string; message?: string };

/** Reads the command line (`--name value`) over SMOKE_* environment variables. */
export function parseSmokeArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): SmokeOptions {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined) throw new Error(`unexpected argument ${argv[i]}`);
    args.set(argv[i].slice(2), argv[i + 1]);
  }
  const get = (name: string): string | undefined => args.get(name) ?? env[`SMOKE_${name.toUpperCase().replace(/-/g, '_')}`];
  const missing = ['relay', 'project', 'profile'].filter((name) => !get(name));
  if (missing.length > 0) throw new Error(`missing ${missing.map((name) => `--${name}`).join(', ')}`);
  const timeout = Number(get('timeout') ?? '60');
  if (!Number.isFinite(timeout) || timeout <= 0) throw new Error('--timeout must be a positive number of seconds');
  return {
    relayUrl: get('relay')!.replace(/\/$/, ''),
    platformToken: get('platform-token'),
    project: get('project')!,
    location: get('location') ?? 'global',
    profile: get('profile')!,
    message: get('message') ?? 'Hello, I would like to check the status of my order.',
    expect: (get('expect') ?? 'new-message-event').split(',').map((type) => type.trim()).filter(Boolean),
    timeoutMs: timeout * 1000,
    dialogflowEndpoint: get('dialogflow-endpoint'),
  };
}

/** Client options: REST transport, the location's endpoint (or the override), injected credentials. */
function clientOptions(options: SmokeOptions): ClientOptions {
  const base = { fallback: true as const, ...(options.authClient ? { authClient: options.authClient } : {}) };
  if (options.dialogflowEndpoint) {
    const url = new URL(options.dialogflowEndpoint);
    const protocol = url.protocol.slice(0, -1);
    return { ...base, apiEndpoint: url.hostname, protocol, port: Number(url.port) || (protocol === 'http' ? 80 : 443) };
  }
  return options.location === 'global' ? base : { ...base, apiEndpoint: `${options.location}-dialogflow.googleapis.com` };
}

/** A native-protocol desktop: collects frames and resolves waits as they arrive. */
class Desktop {
  private readonly frames: Frame[] = [];
  private readonly waiters = new Set<() => void>();
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as Frame);
      for (const wake of this.waiters) wake();
    });
    // Errors end in 'close', which fails any wait; without a listener they would crash the process.
    ws.on('error', () => {});
    ws.on('close', () => {
      for (const wake of this.waiters) wake();
    });
  }

  /** Resolves with the first frame matching, or rejects after `ms` or when the socket closes. */
  wait(what: string, match: (frame: Frame) => boolean, ms: number): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const frame = this.frames.find(match);
        if (frame) return finish(() => resolve(frame));
        if (this.ws.readyState >= WebSocket.CLOSING) finish(() => reject(new Error(`socket closed while waiting for ${what}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`timed out waiting for ${what}`))), ms);
      const finish = (then: () => void): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        then();
      };
      this.waiters.add(check);
      check();
    });
  }
}

/** Runs the check; `report` receives one line per step. Rejects with the step that failed. */
export async function runSmoke(options: SmokeOptions, report: (line: string) => void = () => {}): Promise<SmokeResult> {
  const registered = await fetch(`${options.relayUrl}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(options.platformToken ? { authorization: options.platformToken } : {}) },
    body: JSON.stringify({ gcp_agent_assist_user: 'smoke-test' }),
  });
  if (registered.status !== 200) throw new Error(`/register answered ${registered.status}`);
  const { token } = (await registered.json()) as { token: string };
  report('registered: got a JWT');

  const ws = new WebSocket(`${options.relayUrl.replace(/^http/, 'ws')}/ws`, { headers: { authorization: `Bearer ${token}` } });
  const desktop = new Desktop(ws);
  // A refused upgrade (401) rejects here with "Unexpected server response: 401".
  await once(ws, 'open');
  const conversations = new v2.ConversationsClient(clientOptions(options));
  const participants = new v2.ParticipantsClient(clientOptions(options));
  try {
    await desktop.wait('hello', (frame) => frame.type === 'hello', options.timeoutMs);
    report('desktop connected to the relay');
    const parent = `projects/${options.project}/locations/${options.location}`;
    const profile = options.profile.includes('/') ? options.profile : `${parent}/conversationProfiles/${options.profile}`;
    const [conversation] = await conversations.createConversation({ parent, conversation: { conversationProfile: profile } });
    const name = conversation.name ?? '';
    report(`conversation created: ${name}`);

    ws.send(JSON.stringify({ type: 'join', conversation: name, ref: 'smoke-join' }));
    const joined = await desktop.wait('the join acknowledgement', (frame) => frame.ref === 'smoke-join', options.timeoutMs);
    if (joined.type !== 'joined') throw new Error(`join refused: ${joined.code ?? ''} ${joined.message ?? ''}`);
    report('desktop joined the conversation');

    const [endUser] = await participants.createParticipant({ parent: name, participant: { role: 'END_USER' } });
    await participants.createParticipant({ parent: name, participant: { role: 'HUMAN_AGENT' } });
    const sent = Date.now();
    await participants.analyzeContent({ participant: endUser.name ?? '', textInput: { text: options.message, languageCode: 'en-US' } });
    report('end-user message sent');

    const arrived: Record<string, number> = {};
    const deadline = sent + options.timeoutMs;
    for (const type of options.expect) {
      await desktop.wait(`a ${type}`, (frame) => frame.type === 'event' && frame.dataType === type, Math.max(0, deadline - Date.now()));
      arrived[type] = Date.now() - sent;
      report(`${type} reached the desktop after ${arrived[type]} ms`);
    }
    await conversations.completeConversation({ name });
    report('conversation completed');
    return { conversation: name, arrived };
  } finally {
    ws.close();
    await Promise.all([conversations.close(), participants.close()]);
  }
}

async function main(): Promise<void> {
  let options: SmokeOptions;
  try {
    options = parseSmokeArgs(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(`smoke: ${(error as Error).message}\nusage: npm run smoke -- --relay URL --project P --profile ID [--location L] [--platform-token T] [--expect types] [--timeout s]`);
    process.exitCode = 2;
    return;
  }
  try {
    await runSmoke(options, (line) => console.log(`smoke: ${line}`));
    console.log('smoke: passed');
  } catch (error) {
    console.error(`smoke: FAILED: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}

if (require.main === module) void main();
