/**
 * `npm run smoke` against local stand-ins: the real `@google-cloud/dialogflow` client (REST transport)
 * talks to the Dialogflow stand-in, which plays Agent Assist by pushing a Pub/Sub-style notification to
 * the local stack's event function; the smoke check registers, connects a native desktop, and must see
 * the event arrive. Not exercised here: Google's API itself and Application Default Credentials.
 */
import assert from 'node:assert/strict';
import { OAuth2Client } from 'google-auth-library';
import { parseSmokeArgs, runSmoke, type SmokeOptions } from '../src/tools/smoke';
import { DialogflowStandIn } from './helpers/dialogflow-stand-in';
import { notification, pushEnvelope } from './helpers/events';
import { postEvent, startServer, TEST_PROJECT, type RunningServer } from './helpers/stack';

const ACCESS_TOKEN = 'smoke-test-access-token';

function fakeCredentials(): SmokeOptions['authClient'] {
  const client = new OAuth2Client();
  client.setCredentials({ access_token: ACCESS_TOKEN, expiry_date: Date.now() + 3600_000 });
  return client as unknown as SmokeOptions['authClient'];
}

describe('smoke check (npm run smoke) against local stand-ins', function () {
  this.timeout(30_000);
  let standIn: DialogflowStandIn;
  let stack: RunningServer;
  let publish = true;

  before(async () => {
    standIn = await DialogflowStandIn.start();
    stack = await startServer({ AUTH_OPTION: 'Skip', AUTH_SKIP_ALLOWED: 'true' }, { local: true });
    // Agent Assist's part: a message analyzed in a conversation becomes a NEW_MESSAGE notification.
    standIn.onRequest = async (call) => {
      if (!publish || !call.url.split('?')[0].endsWith(':analyzeContent')) return;
      const conversation = call.url.replace(/^\/v2\//, '').replace(/\/participants\/.*$/, '');
      const status = await postEvent(stack.url, '/new-message-event', pushEnvelope(notification('new-message-event', conversation)));
      assert.equal(status, 204);
    };
  });
  after(async () => {
    await stack?.close();
    await standIn?.close();
  });
  beforeEach(() => standIn.reset());

  const options = (overrides: Partial<SmokeOptions> = {}): SmokeOptions => ({
    relayUrl: stack.url,
    project: TEST_PROJECT,
    location: 'global',
    profile: 'profile-1',
    message: 'Where is my order?',
    expect: ['new-message-event'],
    timeoutMs: 10_000,
    dialogflowEndpoint: standIn.url,
    authClient: fakeCredentials(),
    ...overrides,
  });

  it('creates a conversation, sends a message, and sees the event reach the desktop', async () => {
    publish = true;
    const lines: string[] = [];
    const result = await runSmoke(options(), (line) => lines.push(line));
    assert.match(result.conversation, /^projects\/test-project\/locations\/global\/conversations\/standin-\d+$/);
    assert.ok(result.arrived['new-message-event'] >= 0);
    const calls = standIn.received.map((call) => `${call.method} ${call.url.split('?')[0].replace(/\/conversations\/[^/:]+/, '/conversations/C').replace(/\/participants\/[^/:]+/, '/participants/P')}`);
    assert.deepEqual(calls, [
      'POST /v2/projects/test-project/locations/global/conversations',
      'POST /v2/projects/test-project/locations/global/conversations/C/participants',
      'POST /v2/projects/test-project/locations/global/conversations/C/participants',
      'POST /v2/projects/test-project/locations/global/conversations/C/participants/P:analyzeContent',
      'POST /v2/projects/test-project/locations/global/conversations/C:complete',
    ]);
    assert.deepEqual(JSON.parse(standIn.received[0].body).conversationProfile, 'projects/test-project/locations/global/conversationProfiles/profile-1');
    assert.equal(JSON.parse(standIn.received[3].body).textInput.text, 'Where is my order?');
    assert.ok(standIn.received.every((call) => call.headers.authorization === `Bearer ${ACCESS_TOKEN}`));
    assert.ok(lines.some((line) => line.startsWith('new-message-event reached the desktop')));
  });

  it('fails, naming what it waited for, when no event arrives', async () => {
    publish = false;
    await assert.rejects(runSmoke(options({ timeoutMs: 500 })), /timed out waiting for a new-message-event/);
  });

  it('reads its options from arguments over SMOKE_* variables', () => {
    const parsed = parseSmokeArgs(['--relay', 'https://relay.example/', '--profile', 'p1', '--expect', 'new-message-event, human-agent-assistant-event'], {
      SMOKE_PROJECT: 'proj',
      SMOKE_TIMEOUT: '5',
    });
    assert.equal(parsed.relayUrl, 'https://relay.example');
    assert.equal(parsed.project, 'proj');
    assert.equal(parsed.location, 'global');
    assert.deepEqual(parsed.expect, ['new-message-event', 'human-agent-assistant-event']);
    assert.equal(parsed.timeoutMs, 5000);
    assert.throws(() => parseSmokeArgs(['--relay', 'x'], {}), /missing --project, --profile/);
  });
});
