/**
 * Registration as the relay (and the local stack) mounts it, end to end with the relay's own WebSocket
 * authentication: a token from `/register` or `/register/refresh` opens a socket; every forgery of the
 * table is answered 401 on the upgrade, before any handshake.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import WebSocket from 'ws';
import { buildServer, type BuiltServer } from '../src/app/server';
import { ConfigError } from '../src/config/settings';
import { createLogger } from '../src/log';
import { toSalesforceId18 } from '../src/register/providers/salesforce-id';
import { capturedLogs, clearLogs } from './setup';
import { forgeries, forgeryNames } from './helpers/forgeries';
import { post, StandIn } from './helpers/stand-ins';

const SECRET = 'relay-test-secret-0123456789-0123456789-abc';
const ORG = '00D5g000004XyZw';
const SF_TOKEN = 'salesforce-session-token-2c71';

interface Running {
  readonly built: BuiltServer;
  readonly url: string;
  readonly wsUrl: string;
}

async function startRelay(env: Record<string, string>, local = false): Promise<Running> {
  const built = await buildServer({
    env: { GCP_PROJECT_ID: 'test-project', JWT_SECRET: SECRET, JWT_SECRET_PATH: '/nonexistent/jwt', HOST: '127.0.0.1', PORT: '0', ...env },
    local,
    mountFunctions: false,
    log: createLogger('test-relay'),
  });
  built.relay.server.listen(0, '127.0.0.1');
  await once(built.relay.server, 'listening');
  const address = built.relay.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { built, url: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}/ws` };
}

/** The HTTP status the upgrade is answered with (101 when the socket opens). */
function upgradeStatus(url: string, options: { token?: string; protocols?: string[] }): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers = options.token === undefined ? {} : { Authorization: `Bearer ${options.token}` };
    const ws = new WebSocket(url, options.protocols ?? [], { headers });
    ws.once('unexpected-response', (request, response) => {
      resolve(response.statusCode ?? 0);
      response.resume();
      request.destroy();
    });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('error', reject);
  });
}

describe('registration on the relay', () => {
  let salesforce: StandIn;
  let relay: Running;
  before(async () => {
    salesforce = await StandIn.start((request) =>
      request.headers.authorization === `Bearer ${SF_TOKEN}`
        ? { status: 200, json: { user_id: '005000000000009AAA', organization_id: toSalesforceId18(ORG) } }
        : { status: 401, json: {} },
    );
    relay = await startRelay({ AUTH_OPTION: 'Salesforce', SALESFORCE_BASE_URL: salesforce.url, SALESFORCE_ORGANIZATION_ID: ORG, AUTH_MAX_FAILURES: '1000' });
  });
  after(async () => {
    await relay.built.close();
    await salesforce.stop();
  });

  it('issues a token at /register that opens a WebSocket, and renews it at /register/refresh', async () => {
    const registered = await post(`${relay.url}/register`, { token: SF_TOKEN, body: { gcp_agent_assist_user: 'agent-7' } });
    assert.equal(registered.status, 200, JSON.stringify(registered.json));
    const token = String(registered.json.token);
    assert.equal(await upgradeStatus(relay.wsUrl, { token }), 101);
    const refreshed = await post(`${relay.url}/register/refresh`, { token: `Bearer ${token}` });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.json));
    assert.notEqual(refreshed.json.token, token);
    assert.equal(await upgradeStatus(relay.wsUrl, { token: String(refreshed.json.token) }), 101);
    assert.equal(relay.built.relay.authenticate(String(refreshed.json.token)).gcp_agent_assist_user, 'agent-7');
  });

  it('refuses a bad platform token, and applications while APP_AUTH_OPTION is unset', async () => {
    assert.equal((await post(`${relay.url}/register`, { token: 'stolen?' })).status, 401);
    const app = await post(`${relay.url}/register-app`, { body: { accountSid: 'AC1', authToken: 'x' } });
    assert.equal(app.status, 401);
  });

  describe('refuses every forgery on the WebSocket upgrade with 401', () => {
    for (const name of forgeryNames()) {
      it(name, async () => {
        const forgery = forgeries(relay.built.context.jwt).find((candidate) => candidate.name === name);
        assert.ok(forgery);
        assert.equal(await upgradeStatus(relay.wsUrl, { token: forgery.token }), 401);
        assert.equal(await upgradeStatus(relay.wsUrl, { protocols: ['aa-relay.v1', `bearer.${forgery.token}`] }), 401);
      });
    }

    it('and a missing token', async () => {
      assert.equal(await upgradeStatus(relay.wsUrl, {}), 401);
    });
  });
});

describe('registration without AUTH_OPTION', () => {
  it('refuses every registration when deployed', async () => {
    const relay = await startRelay({});
    try {
      const reply = await post(`${relay.url}/register`, { token: 'anything' });
      assert.equal(reply.status, 401);
      assert.equal(reply.json.error, 'registration is not configured');
    } finally {
      await relay.built.close();
    }
  });

  it('accepts with a warning in local mode (npm start), so the stack can be tried without a platform', async () => {
    const relay = await startRelay({}, true);
    try {
      clearLogs();
      const reply = await post(`${relay.url}/register`);
      assert.equal(reply.status, 200);
      assert.equal(await upgradeStatus(relay.wsUrl, { token: String(reply.json.token) }), 101);
      assert.ok(capturedLogs().some((line) => line.message === 'registration without a platform check' && line.severity === 'WARNING'));
    } finally {
      await relay.built.close();
    }
  });

  it('stops the relay at start on a bad registration setting', async () => {
    await assert.rejects(startRelay({ AUTH_OPTION: 'Skip' }), (error: unknown) => error instanceof ConfigError && /AUTH_SKIP_ALLOWED/.test(error.message));
  });
});
