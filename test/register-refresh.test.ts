/**
 * The deployed `register` function beyond the provider check: the refresh path, CORS for browsers,
 * the request shapes desktops send, and logs that never hold a credential.
 */
import assert from 'node:assert/strict';
import jwt from 'jsonwebtoken';
import sinon from 'sinon';
import { signToken, verifyToken } from '../src/auth/jwt';
import { capturedLogs, clearLogs } from './setup';
import { forgeries } from './helpers/forgeries';
import { post, StandIn, startRegistrationFunctions, type RunningFunctions } from './helpers/stand-ins';

const PLATFORM_TOKEN = 'twilio-flex-token-6a0e2b';

describe('register function', () => {
  let flex: StandIn;
  let fns: RunningFunctions;
  before(async () => {
    flex = await StandIn.start((request) =>
      request.body.includes(PLATFORM_TOKEN) ? { status: 200, json: { identity: 'flex-agent', worker_sid: 'WK9' } } : { status: 403, json: {} },
    );
    fns = await startRegistrationFunctions({
      AUTH_OPTION: 'Twilio',
      TWILIO_FLEX_BASE_URL: flex.url,
      JWT_REFRESH_WINDOW_MINUTES: '120',
      // The forgery table alone is more failures than the default limit allows one address.
      AUTH_MAX_FAILURES: '1000',
      CORS_ALLOWED_ORIGINS: 'https://desk.example.com,https://other.example.com',
    });
  });
  after(async () => {
    await fns.close();
    await flex.stop();
  });
  afterEach(() => sinon.restore());

  async function register(): Promise<string> {
    const reply = await post(fns.register, { token: PLATFORM_TOKEN });
    assert.equal(reply.status, 200, JSON.stringify(reply.json));
    return String(reply.json.token);
  }

  describe('refresh', () => {
    it('renews a valid token without the provider, keeping user, subject and auth_time', async () => {
      const first = await register();
      const calls = flex.requests.length;
      const reply = await post(`${fns.register}/refresh`, { token: `Bearer ${first}` });
      assert.equal(reply.status, 200, JSON.stringify(reply.json));
      assert.equal(flex.requests.length, calls);
      const settings = await fns.jwt();
      const before = verifyToken(settings, first);
      const after = verifyToken(settings, String(reply.json.token));
      assert.notEqual(after.jti, before.jti);
      assert.equal(after.gcp_agent_assist_user, 'flex-agent');
      assert.equal(after.sub, 'twilio:WK9');
      assert.equal(after.auth_time, before.auth_time);
    });

    it('refuses an expired token, and every forgery', async () => {
      const settings = await fns.jwt();
      const expired = signToken(settings, 'agent', Date.now() - 2 * 3600_000).token;
      const expiredReply = await post(`${fns.register}/refresh`, { token: `Bearer ${expired}` });
      assert.equal(expiredReply.status, 401);
      assert.equal(expiredReply.json.error, 'token expired');
      for (const { name, token } of forgeries(settings)) {
        const reply = await post(`${fns.register}/refresh`, { token: `Bearer ${token}`, headers: { 'X-Test': name } });
        assert.equal(reply.status, 401, name);
        assert.equal(reply.json.token, undefined, name);
      }
      assert.equal((await post(`${fns.register}/refresh`, {})).json.error, 'missing token');
    });

    it('refuses once JWT_REFRESH_WINDOW_MINUTES have passed since the platform check', async () => {
      const clock = sinon.useFakeTimers({ now: Date.now(), toFake: ['Date'] });
      let token = await register();
      // Renewing every 50 minutes keeps the token valid, but not past the window of 120 minutes.
      for (let minutes = 50; minutes <= 100; minutes += 50) {
        clock.tick(50 * 60_000);
        const reply = await post(`${fns.register}/refresh`, { token: `Bearer ${token}` });
        assert.equal(reply.status, 200, `after ${minutes} minutes`);
        token = String(reply.json.token);
      }
      clock.tick(50 * 60_000);
      const late = await post(`${fns.register}/refresh`, { token: `Bearer ${token}` });
      assert.equal(late.status, 401);
      assert.equal(late.json.error, 'refresh window passed: register again');
    });

    it('is not served when JWT_REFRESH_WINDOW_MINUTES=0', async () => {
      const off = await startRegistrationFunctions({ AUTH_OPTION: 'Twilio', TWILIO_FLEX_BASE_URL: flex.url, JWT_REFRESH_WINDOW_MINUTES: '0' });
      try {
        const token = signToken(await off.jwt(), 'agent').token;
        assert.equal((await post(`${off.register}/refresh`, { token: `Bearer ${token}` })).status, 404);
      } finally {
        await off.close();
      }
    });
  });

  describe('CORS (CORS_ALLOWED_ORIGINS)', () => {
    it('answers a preflight from an allowed origin', async () => {
      for (const url of [fns.register, `${fns.register}/refresh`, fns.registerApp]) {
        const reply = await post(url, {
          method: 'OPTIONS',
          headers: { Origin: 'https://desk.example.com', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' },
        });
        assert.equal(reply.status, 204, url);
        assert.equal(reply.headers.get('access-control-allow-origin'), 'https://desk.example.com');
        assert.match(reply.headers.get('access-control-allow-methods') ?? '', /POST/);
      }
    });

    it('lets an allowed origin read the token, and no other', async () => {
      const allowed = await post(fns.register, { token: PLATFORM_TOKEN, headers: { Origin: 'https://other.example.com' } });
      assert.equal(allowed.status, 200);
      assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://other.example.com');
      const foreign = await post(fns.register, { token: PLATFORM_TOKEN, headers: { Origin: 'https://evil.example.net' } });
      assert.equal(foreign.headers.get('access-control-allow-origin'), null);
    });

    it('allows no origin when the setting is unset', async () => {
      const plain = await startRegistrationFunctions({ AUTH_OPTION: 'Twilio', TWILIO_FLEX_BASE_URL: flex.url });
      try {
        const reply = await post(plain.register, { token: PLATFORM_TOKEN, headers: { Origin: 'https://desk.example.com' } });
        assert.equal(reply.headers.get('access-control-allow-origin'), null);
      } finally {
        await plain.close();
      }
    });
  });

  describe('requests as desktops send them', () => {
    it('reads gcp_agent_assist_user from JSON sent as text, as the original did', async () => {
      const reply = await post(fns.register, { token: PLATFORM_TOKEN, body: JSON.stringify({ gcp_agent_assist_user: 'typed-user' }), headers: { 'Content-Type': 'text/plain' } });
      assert.equal(reply.status, 200);
      assert.equal(jwt.decode(String(reply.json.token), { json: true })?.gcp_agent_assist_user, 'typed-user');
      const long = await post(fns.register, { token: PLATFORM_TOKEN, body: { gcp_agent_assist_user: 'u'.repeat(1000) } });
      assert.equal((jwt.decode(String(long.json.token), { json: true })?.gcp_agent_assist_user as string).length, 256);
    });

    it('answers 405 to anything but POST', async () => {
      const reply = await post(fns.register, { method: 'GET', token: PLATFORM_TOKEN });
      assert.equal(reply.status, 405);
      assert.equal(reply.headers.get('allow'), 'POST');
    });
  });

  it('logs no platform token and no JWT', async () => {
    clearLogs();
    const token = await register();
    await post(fns.register, { token: 'refused-platform-token-x1' });
    await post(`${fns.register}/refresh`, { token: `Bearer ${token}` });
    const lines = capturedLogs().map((line) => JSON.stringify(line));
    assert.ok(lines.some((line) => line.includes('token issued')));
    assert.ok(lines.some((line) => line.includes('registration refused')));
    for (const secret of [PLATFORM_TOKEN, 'refused-platform-token-x1', token, token.split('.')[2]]) {
      assert.ok(!lines.some((line) => line.includes(secret)), 'a credential reached the log');
    }
  });
});
