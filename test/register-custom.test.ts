/**
 * The providers without a remote: a custom module, Skip, and none at all (the default denies); and the
 * configuration checks that stop a wrong deployment at start.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyToken } from '../src/auth/jwt';
import { ConfigError } from '../src/config/settings';
import { loadRegisterConfig } from '../src/register/config';
import { capturedLogs, clearLogs } from './setup';
import { post, startRegistrationFunctions, type RunningFunctions } from './helpers/stand-ins';

const MODULE = `
exports.check = async (token, request) => {
  if (token === 'custom-good-token') return { user: 'custom-user', subject: 'c-1' };
  if (token === '' && request.headers['x-platform-session'] === 'session-ok') return true;
  if (token === 'custom-down') { const error = new Error('platform down'); error.name = 'UnavailableError'; throw error; }
  if (token === 'custom-slow') return new Promise(() => {});
  if (token === 'custom-bug') throw new TypeError('bug in the module');
  return false;
};`;

async function withFunctions(env: Record<string, string>, test: (fns: RunningFunctions) => Promise<void>): Promise<void> {
  const fns = await startRegistrationFunctions(env);
  try {
    await test(fns);
  } finally {
    await fns.close();
  }
}

describe('AUTH_OPTION=Custom', () => {
  let dir: string;
  let modulePath: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'custom-provider-'));
    modulePath = join(dir, 'check.js');
    await writeFile(modulePath, MODULE);
    await writeFile(join(dir, 'empty.js'), 'exports.notACheck = 1;');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const env = () => ({ AUTH_OPTION: 'Custom', AUTH_CUSTOM_MODULE: modulePath, AUTH_PROVIDER_TIMEOUT_MS: '200' });

  it('accepts what the module accepts, with the user and subject it names', () =>
    withFunctions(env(), async (fns) => {
      const reply = await post(fns.register, { token: 'Bearer custom-good-token' });
      assert.equal(reply.status, 200, JSON.stringify(reply.json));
      const claims = verifyToken(await fns.jwt(), String(reply.json.token));
      assert.equal(claims.gcp_agent_assist_user, 'custom-user');
      assert.equal(claims.sub, 'custom:c-1');
      const bySession = await post(fns.register, { headers: { 'X-Platform-Session': 'session-ok' } });
      assert.equal(bySession.status, 200);
    }));

  it('maps refusal to 401, unavailability and timeout to 503, a fault to 500', () =>
    withFunctions(env(), async (fns) => {
      assert.equal((await post(fns.register, { token: 'other' })).status, 401);
      assert.equal((await post(fns.register, {})).status, 401);
      assert.equal((await post(fns.register, { token: 'custom-down' })).status, 503);
      assert.equal((await post(fns.register, { token: 'custom-slow' })).status, 503);
      const bug = await post(fns.register, { token: 'custom-bug' });
      assert.equal(bug.status, 500);
      assert.equal(bug.json.error, 'internal error');
    }));

  it('answers 500 while the module exports no check function', () =>
    withFunctions({ ...env(), AUTH_CUSTOM_MODULE: join(dir, 'empty.js') }, async (fns) => {
      const reply = await post(fns.register, { token: 'custom-good-token' });
      assert.equal(reply.status, 500);
      assert.equal(reply.json.error, 'service not configured');
      assert.ok(capturedLogs().some((line) => String(line.error).includes('exports no check function')));
    }));
});

describe('AUTH_OPTION unset, and Skip', () => {
  it('refuses every registration when no provider is configured (the default denies)', () =>
    withFunctions({}, async (fns) => {
      for (const token of [undefined, 'anything', 'Bearer anything']) {
        const reply = await post(fns.register, { token });
        assert.equal(reply.status, 401);
        assert.equal(reply.json.error, 'registration is not configured');
      }
    }));

  it('will not start Skip unless AUTH_SKIP_ALLOWED=true', async () => {
    assert.throws(() => loadRegisterConfig({ AUTH_OPTION: 'Skip' }), (error: unknown) => error instanceof ConfigError && /AUTH_SKIP_ALLOWED/.test(error.message));
    await withFunctions({ AUTH_OPTION: 'Skip' }, async (fns) => {
      const reply = await post(fns.register, { token: 'x' });
      assert.equal(reply.status, 500);
      assert.equal(reply.json.error, 'service not configured');
    });
  });

  it('with AUTH_SKIP_ALLOWED=true accepts anything and warns on every registration', () =>
    withFunctions({ AUTH_OPTION: 'Skip', AUTH_SKIP_ALLOWED: 'true' }, async (fns) => {
      clearLogs();
      for (let i = 0; i < 3; i++) assert.equal((await post(fns.register, { token: 'same-token' })).status, 200);
      assert.equal((await post(fns.register, {})).status, 200);
      const warnings = capturedLogs().filter((line) => line.message === 'registration without a platform check');
      assert.equal(warnings.length, 4);
      assert.ok(warnings.every((line) => line.severity === 'WARNING'));
    }));
});

describe('registration settings', () => {
  const problems = (env: Record<string, string>) => {
    try {
      loadRegisterConfig(env);
      return '';
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      return error.message;
    }
  };

  it('names every mistake at once', () => {
    const message = problems({
      AUTH_OPTION: 'Salesforce',
      SALESFORCE_ORGANIZATION_ID: '00D5g000004AbCdXXX',
      APP_AUTH_OPTION: 'Twilio',
      AUTH_PROVIDER_TIMEOUT_MS: 'soon',
    });
    assert.match(message, /SALESFORCE_ORGANIZATION_ID must be a 15- or 18-character Salesforce id/);
    assert.match(message, /APP_AUTH_OPTION=Twilio needs TWILIO_ACCOUNT_SID/);
    assert.match(message, /AUTH_PROVIDER_TIMEOUT_MS/);
  });

  it('refuses unknown options and incomplete providers', () => {
    assert.match(problems({ AUTH_OPTION: 'Five9' }), /AUTH_OPTION must be one of/);
    assert.match(problems({ AUTH_OPTION: 'Salesforce' }), /SALESFORCE_ORGANIZATION_ID/);
    assert.match(problems({ AUTH_OPTION: 'Twilio' }), /needs TWILIO_FLEX_ENVIRONMENT/);
    assert.match(problems({ AUTH_OPTION: 'Custom' }), /needs AUTH_CUSTOM_MODULE/);
    assert.match(problems({ TWILIO_ACCOUNT_SID: 'AC123' }), /TWILIO_ACCOUNT_SID must be AC/);
    assert.match(problems({ SALESFORCE_DOMAIN: 'evil.example/steal?x=' }), /SALESFORCE_DOMAIN must be a host name/);
  });

  it('never sends a token over plain http except to loopback', () => {
    assert.match(problems({ SALESFORCE_BASE_URL: 'http://idp.example.com' }), /must use https/);
    assert.match(problems({ TWILIO_API_BASE_URL: 'http://10.0.0.5:8080' }), /must use https/);
    assert.equal(problems({ SALESFORCE_BASE_URL: 'http://127.0.0.1:9999', GENESYS_CLOUD_BASE_URL: 'http://localhost:1/' }), '');
    const config = loadRegisterConfig({ GENESYS_CLOUD_ENVIRONMENT: 'mypurecloud.de', TWILIO_FLEX_ENVIRONMENT: 'flex-1234.twil.io' });
    assert.equal(config.genesys.baseUrl, 'https://api.mypurecloud.de');
    assert.equal(config.twilio.flexBaseUrl, 'https://flex-1234.twil.io');
    assert.equal(config.salesforce.baseUrl, 'https://login.salesforce.com');
  });

  it('accepts option names in any case, as the environment is often typed by hand', () => {
    assert.equal(loadRegisterConfig({ AUTH_OPTION: 'genesyscloud' }).authOption, 'GenesysCloud');
  });
});
