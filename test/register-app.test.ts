/** `/register-app` with APP_AUTH_OPTION=Twilio, against a stand-in of the Twilio Accounts API. */
import assert from 'node:assert/strict';
import { verifyToken } from '../src/auth/jwt';
import { downUrl, post, StandIn, startRegistrationFunctions, type RunningFunctions } from './helpers/stand-ins';

const ACCOUNT = `AC${'a1b2c3d4'.repeat(4)}`;
const OTHER_ACCOUNT = `AC${'9'.repeat(32)}`;
const AUTH_TOKEN = 'twilio-auth-token-4d2f9e';

describe('POST /register-app (APP_AUTH_OPTION=Twilio)', () => {
  let accounts: StandIn;
  let answerSid = ACCOUNT;
  before(async () => {
    accounts = await StandIn.start((request) => {
      if (request.method !== 'GET' || request.url !== `/2010-04-01/Accounts/${ACCOUNT}.json`) return { status: 404, json: {} };
      const expected = `Basic ${Buffer.from(`${ACCOUNT}:${AUTH_TOKEN}`).toString('base64')}`;
      if (request.headers.authorization !== expected) return { status: 401, json: { code: 20003 } };
      return { status: 200, json: { sid: answerSid, status: 'active' } };
    });
  });
  after(() => accounts.stop());

  const env = (url: string) => ({ APP_AUTH_OPTION: 'Twilio', TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_API_BASE_URL: url });
  async function withFunctions(url: string, test: (fns: RunningFunctions) => Promise<void>, extra = {}): Promise<void> {
    const fns = await startRegistrationFunctions({ ...env(url), ...extra });
    try {
      await test(fns);
    } finally {
      await fns.close();
    }
  }

  it('issues a JWT for the account\'s own credentials', () =>
    withFunctions(accounts.url, async (fns) => {
      const reply = await post(fns.registerApp, { body: { accountSid: ACCOUNT, authToken: AUTH_TOKEN, gcp_agent_assist_user: 'flex-app' } });
      assert.equal(reply.status, 200, JSON.stringify(reply.json));
      const claims = verifyToken(await fns.jwt(), String(reply.json.token));
      assert.equal(claims.gcp_agent_assist_user, 'flex-app');
      assert.equal(claims.sub, `twilio-account:${ACCOUNT}`);
    }));

  it('refuses credentials of another account without asking Twilio', () =>
    withFunctions(accounts.url, async (fns) => {
      const calls = accounts.requests.length;
      const reply = await post(fns.registerApp, { body: { accountSid: OTHER_ACCOUNT, authToken: AUTH_TOKEN } });
      assert.equal(reply.status, 401);
      assert.equal(reply.json.error, 'account not allowed');
      assert.equal(accounts.requests.length, calls);
    }));

  it('refuses when Twilio answers for another account', async () => {
    answerSid = OTHER_ACCOUNT;
    try {
      await withFunctions(accounts.url, async (fns) => {
        const reply = await post(fns.registerApp, { body: { accountSid: ACCOUNT, authToken: AUTH_TOKEN } });
        assert.equal(reply.status, 401);
      });
    } finally {
      answerSid = ACCOUNT;
    }
  });

  it('refuses a wrong auth token, and a body without credentials', () =>
    withFunctions(accounts.url, async (fns) => {
      const wrong = await post(fns.registerApp, { body: { accountSid: ACCOUNT, authToken: 'guessed' } });
      assert.equal(wrong.status, 401);
      assert.equal(wrong.json.error, 'platform token refused');
      for (const body of [{}, { accountSid: ACCOUNT }, 'not json', { accountSid: ACCOUNT, authToken: 'x'.repeat(300) }]) {
        const reply = await post(fns.registerApp, { body });
        assert.equal(reply.status, 401, JSON.stringify(body));
        assert.equal(reply.json.error, 'accountSid and authToken are required');
      }
    }));

  it('answers 503 when the Accounts API is down or slow', async () => {
    await withFunctions(await downUrl(), async (fns) => {
      const reply = await post(fns.registerApp, { body: { accountSid: ACCOUNT, authToken: AUTH_TOKEN } });
      assert.equal(reply.status, 503);
    });
    const slow = await StandIn.start(() => 'hold');
    try {
      await withFunctions(slow.url, async (fns) => {
        const reply = await post(fns.registerApp, { body: { accountSid: ACCOUNT, authToken: AUTH_TOKEN } });
        assert.equal(reply.status, 503);
      }, { AUTH_PROVIDER_TIMEOUT_MS: '200' });
    } finally {
      await slow.stop();
    }
  });

  it('refuses every application when APP_AUTH_OPTION is unset', async () => {
    const fns = await startRegistrationFunctions({ TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_API_BASE_URL: accounts.url });
    try {
      const calls = accounts.requests.length;
      const reply = await post(fns.registerApp, { body: { accountSid: ACCOUNT, authToken: AUTH_TOKEN } });
      assert.equal(reply.status, 401);
      assert.equal(reply.json.error, 'application registration is not configured');
      assert.equal(accounts.requests.length, calls);
    } finally {
      await fns.close();
    }
  });
});
