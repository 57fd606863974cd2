/**
 * Every identity provider through the deployed `register` function, against a local stand-in of the
 * provider: accepted, wrong organization, invalid token, provider down, provider slow.
 */
import assert from 'node:assert/strict';
import { verifyToken } from '../src/auth/jwt';
import type { Env } from '../src/config/settings';
import { toSalesforceId18 } from '../src/register/providers/salesforce-id';
import { downUrl, post, StandIn, startRegistrationFunctions, type Answer, type SeenRequest } from './helpers/stand-ins';

const ORG15 = '00D5g000004AbCd';
const ORG18 = toSalesforceId18(ORG15);
// The same 15 characters but for case: another organization, which a prefix comparison would let in.
const CASE_TWIN = '00D5g000004ABCD';
const GENESYS_ORG = '6f4c8b0e-1a2b-4c3d-9e8f-0123456789ab';
const TWILIO_ACCOUNT = `AC${'0123456789abcdef'.repeat(2)}`;

const GOOD = 'platform-token-good-7f3a9c';
const OTHER_ORG = 'platform-token-other-org-51be';

interface ProviderCase {
  readonly option: string;
  /** Settings that point the provider at `url`. */
  env(url: string): Env;
  /** The token the desktop presented, as the stand-in received it (undefined: not a well-formed call). */
  presented(request: SeenRequest): string | undefined;
  readonly good: unknown;
  readonly otherOrg: unknown;
  readonly subject: string;
}

const bearer = (request: SeenRequest) => /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];

const CASES: ProviderCase[] = [
  {
    option: 'Salesforce',
    env: (url) => ({ SALESFORCE_BASE_URL: url, SALESFORCE_ORGANIZATION_ID: ORG15 }),
    presented: (r) => (r.method === 'GET' && r.url === '/services/oauth2/userinfo' ? bearer(r) : undefined),
    good: { user_id: '005000000000001AAA', organization_id: ORG18, preferred_username: 'agent@example.com' },
    otherOrg: { user_id: '005000000000002AAA', organization_id: toSalesforceId18(CASE_TWIN) },
    subject: 'salesforce:005000000000001AAA',
  },
  {
    option: 'SalesforceLWC',
    env: (url) => ({ SALESFORCE_BASE_URL: url, SALESFORCE_ORGANIZATION_ID: ORG18 }),
    presented: (r) => (r.method === 'GET' && r.url === '/services/oauth2/userinfo' ? bearer(r) : undefined),
    good: { user_id: '005000000000003AAA', organization_id: ORG15 },
    otherOrg: { user_id: '005000000000004AAA', organization_id: CASE_TWIN },
    subject: 'salesforce-app:005000000000003AAA',
  },
  {
    option: 'GenesysCloud',
    env: (url) => ({ GENESYS_CLOUD_BASE_URL: url, GENESYS_CLOUD_ORGANIZATION_ID: GENESYS_ORG }),
    presented: (r) => (r.method === 'GET' && r.url === '/api/v2/users/me?expand=organization' ? bearer(r) : undefined),
    good: { id: 'user-1', email: 'agent@example.com', organization: { id: GENESYS_ORG.toUpperCase() } },
    otherOrg: { id: 'user-2', organization: { id: '00000000-0000-4000-8000-000000000000' } },
    subject: 'genesys:user-1',
  },
  {
    option: 'Twilio',
    env: (url) => ({ TWILIO_FLEX_BASE_URL: url, TWILIO_ACCOUNT_SID: TWILIO_ACCOUNT }),
    presented: (r) => {
      if (r.method !== 'POST' || r.url !== '/verify' || !/json/.test(r.headers['content-type'] ?? '')) return undefined;
      return (JSON.parse(r.body) as { Token?: string }).Token;
    },
    good: { valid: true, identity: 'agent@example.com', worker_sid: 'WK1', account_sid: TWILIO_ACCOUNT },
    otherOrg: { valid: true, identity: 'x', worker_sid: 'WK2', account_sid: `AC${'f'.repeat(32)}` },
    subject: 'twilio:WK1',
  },
];

for (const provider of CASES) {
  describe(`AUTH_OPTION=${provider.option}`, () => {
    let standIn: StandIn;
    before(async () => {
      standIn = await StandIn.start((request): Answer => {
        const token = provider.presented(request);
        if (token === GOOD) return { status: 200, json: provider.good };
        if (token === OTHER_ORG) return { status: 200, json: provider.otherOrg };
        return { status: token === undefined ? 400 : 401, json: { error: 'invalid_token' } };
      });
    });
    after(() => standIn.stop());

    const start = (url: string, env: Env = {}) => startRegistrationFunctions({ AUTH_OPTION: provider.option, ...provider.env(url), ...env });

    it('accepts a good token and issues a JWT naming the platform identity', async () => {
      const fns = await start(standIn.url);
      try {
        const reply = await post(fns.register, { token: `Bearer ${GOOD}`, body: { gcp_agent_assist_user: 'desk-user' } });
        assert.equal(reply.status, 200, JSON.stringify(reply.json));
        assert.equal(reply.headers.get('cache-control'), 'no-store');
        const claims = verifyToken(await fns.jwt(), String(reply.json.token));
        assert.equal(claims.sub, provider.subject);
        assert.equal(claims.gcp_agent_assist_user, 'desk-user');
        assert.equal(claims.gcp_agent_assist_project, 'test-project');
        // The token reaches the provider in a header or body, never in a URL.
        assert.ok(standIn.requests.every((request) => !request.url.includes(GOOD)));
      } finally {
        await fns.close();
      }
    });

    it('refuses a token of another organization', async () => {
      const fns = await start(standIn.url);
      try {
        const reply = await post(fns.register, { token: OTHER_ORG });
        assert.equal(reply.status, 401);
        assert.match(String(reply.json.error), /not allowed/);
        assert.equal(reply.json.token, undefined);
      } finally {
        await fns.close();
      }
    });

    it('refuses an invalid token, and a missing one without calling the provider', async () => {
      const fns = await start(standIn.url);
      try {
        const invalid = await post(fns.register, { token: 'Bearer forged-platform-token' });
        assert.equal(invalid.status, 401);
        assert.equal(invalid.json.error, 'platform token refused');
        const calls = standIn.requests.length;
        const missing = await post(fns.register, {});
        assert.equal(missing.status, 401);
        assert.equal(missing.json.error, 'missing platform token');
        assert.equal(standIn.requests.length, calls);
      } finally {
        await fns.close();
      }
    });

    it('answers 503 when the provider is down', async () => {
      const fns = await start(await downUrl());
      try {
        const reply = await post(fns.register, { token: GOOD });
        assert.equal(reply.status, 503);
        assert.equal(reply.json.error, 'identity provider unavailable');
        assert.equal(reply.headers.get('retry-after'), '5');
      } finally {
        await fns.close();
      }
    });

    it('answers 503 when the provider is slow, within the timeout', async () => {
      const slow = await StandIn.start(() => 'hold');
      const fns = await start(slow.url, { AUTH_PROVIDER_TIMEOUT_MS: '300' });
      try {
        const started = Date.now();
        const reply = await post(fns.register, { token: GOOD });
        assert.equal(reply.status, 503);
        assert.ok(Date.now() - started < 5000, `answered after ${Date.now() - started} ms`);
        assert.equal(slow.requests.length, 1);
      } finally {
        await Promise.all([fns.close(), slow.stop()]);
      }
    });
  });
}
