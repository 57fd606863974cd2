/**
 * The worked example of docs/access.md, `docs/examples/ccaas-assignment.js`, loaded by the relay as an
 * integrator would configure it, against a local stand-in for the contact-center platform's API: an agent
 * joins only the conversations of interactions the platform assigns to them, on both protocols; a
 * platform that fails refuses with `unavailable`.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { signToken } from '../src/auth/jwt';
import { RedisServer } from './helpers/redis-server';
import { SioDesktop } from './helpers/socketio-client';
import { NativeClient, startServer, TEST_PROJECT, type RunningServer } from './helpers/stack';
import { StandIn, type SeenRequest } from './helpers/stand-ins';

const EXAMPLE = join(__dirname, '..', '..', 'docs', 'examples', 'ccaas-assignment.js');
const SERVICE_TOKEN = 'ccaas-service-token-7f3a';
const ASSIGNED = `projects/${TEST_PROJECT}/locations/global/conversations/call-4711`;
const ASSIGNED_KEY = `projects/${TEST_PROJECT}/conversations/call-4711`;
const NOT_ASSIGNED = `projects/${TEST_PROJECT}/locations/global/conversations/call-4712`;

/** The platform: agent-7 (platform id `a-7`) is assigned to call-4711; `a-down` makes it fail. */
function platform(request: SeenRequest) {
  if (request.headers.authorization !== `Bearer ${SERVICE_TOKEN}`) return { status: 401, json: { message: 'bad credentials' } };
  const match = /^\/v1\/agents\/([^/?]+)\/interactions\?state=active$/.exec(request.url);
  if (!match) return { status: 400, json: {} };
  const agent = decodeURIComponent(match[1]);
  if (agent === 'agent-7' || agent === 'a-7') {
    return { status: 200, json: { interactions: [{ id: 'int-1', state: 'active', attributes: { dialogflowConversation: ASSIGNED } }, { id: 'int-2', attributes: {} }] } };
  }
  if (agent === 'a-down') return { status: 503, json: {} };
  return { status: 404, json: { message: 'no such agent' } };
}

describe('docs/examples/ccaas-assignment.js against a CCaaS stand-in', function () {
  this.timeout(30_000);
  let ccaas: StandIn;
  let redis: RedisServer;
  let server: RunningServer;
  const closers: Array<() => void> = [];

  before(async () => {
    ccaas = await StandIn.start(platform);
    // The example reads its own settings from the environment, as it would in the relay's container.
    process.env.CCAAS_API_URL = ccaas.url;
    process.env.CCAAS_API_TOKEN = SERVICE_TOKEN;
    redis = await RedisServer.start();
    server = await startServer({ REDIS_URL: redis.url, CONVERSATION_ACCESS: 'custom', CONVERSATION_ACCESS_MODULE: EXAMPLE, CONVERSATION_ACCESS_CACHE_SECONDS: '0' });
  });
  afterEach(() => {
    for (const close of closers.splice(0)) close();
  });
  after(async () => {
    await server?.close();
    await redis?.destroy();
    await ccaas?.stop();
    delete process.env.CCAAS_API_URL;
    delete process.env.CCAAS_API_TOKEN;
  });

  const tokenFor = (user: string, subject?: string) => signToken(server.context.jwt, user, Date.now(), subject === undefined ? {} : { subject }).token;

  it('native: the assigned agent joins the interaction’s conversation and no other', async () => {
    const client = await NativeClient.connect(server.wsUrl, tokenFor('agent-7'));
    closers.push(() => client.close());
    assert.equal((await client.join(ASSIGNED)).type, 'joined');
    const refused = await client.join(NOT_ASSIGNED);
    assert.deepEqual([refused.type, refused.code], ['error', 'forbidden']);
    const asked = ccaas.requests.at(-1)!;
    assert.equal(asked.url, '/v1/agents/agent-7/interactions?state=active');
    assert.equal(asked.headers.authorization, `Bearer ${SERVICE_TOKEN}`);
  });

  it('Socket.IO: the same, and by the platform identity the registration vouched for (`sub`)', async () => {
    const desktop = await SioDesktop.connect(server.url, tokenFor('agent.seven@example.com', 'genesys:a-7'));
    closers.push(() => desktop.close());
    assert.deepEqual(await desktop.join(ASSIGNED), [true, ASSIGNED_KEY]);
    assert.deepEqual(await desktop.join(NOT_ASSIGNED), [false, 'forbidden: not allowed to join this conversation']);
    assert.equal(ccaas.requests.at(-1)!.url, '/v1/agents/a-7/interactions?state=active');
  });

  it('an agent the platform does not know is refused; a failing platform refuses with unavailable', async () => {
    const stranger = await NativeClient.connect(server.wsUrl, tokenFor('someone-else'));
    closers.push(() => stranger.close());
    assert.equal((await stranger.join(ASSIGNED)).code, 'forbidden');
    const desktop = await SioDesktop.connect(server.url, tokenFor('agent-9', 'genesys:a-down'));
    closers.push(() => desktop.close());
    assert.deepEqual(await desktop.join(ASSIGNED), [false, 'unavailable: access check unavailable; retry']);
  });
});
