/**
 * Each authentication mode of the webhook, accepting and refusing, over real HTTP. ID tokens are signed
 * with a key the test generates and verified by google-auth-library against a local certificate server.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../src/config/settings';
import { safeEqual } from '../src/webhook/auth';
import { dialogflowServiceAgent, loadWebhookConfig } from '../src/webhook/config';
import { defineIntentMap } from '../src/webhook/intent-map';
import { startCertServer, type CertServer } from './helpers/google-certs';
import { post, serveWebhook, webhookRequest, type ServedWebhook } from './helpers/webhook';

const map = defineIntentMap({ intents: { hello: (agent) => void agent.text('hi') }, fallback: (agent) => void agent.text('?') });

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

describe('webhook authentication', () => {
  const served: ServedWebhook[] = [];
  const serve = async (env: Record<string, string>): Promise<string> => {
    const webhook = await serveWebhook(map, env);
    served.push(webhook);
    return webhook.url;
  };
  after(async () => {
    await Promise.all(served.map((webhook) => webhook.close()));
  });

  it('none: accepts a request without credentials', async () => {
    const url = await serve({ WEBHOOK_AUTH: 'none' });
    assert.equal((await post(url, webhookRequest('hello'))).status, 200);
  });

  it('basic: accepts the configured user and password, refuses anything else with 401', async () => {
    const url = await serve({ WEBHOOK_AUTH: 'basic', WEBHOOK_BASIC_USER: 'dialogflow', WEBHOOK_BASIC_PASSWORD: 's3cret:with-colon' });
    const ok = await post(url, webhookRequest('hello'), { authorization: basic('dialogflow', 's3cret:with-colon') });
    assert.equal(ok.status, 200);
    for (const authorization of [basic('dialogflow', 'wrong'), basic('someone', 's3cret:with-colon'), basic('dialogflow', ''), 'Bearer abc', undefined]) {
      const refused = await post(url, webhookRequest('hello'), authorization ? { authorization } : {});
      assert.equal(refused.status, 401, String(authorization));
      assert.deepEqual(refused.json, { error: 'unauthenticated' });
      assert.equal(refused.headers.get('www-authenticate'), 'Basic realm="dialogflow-webhook"');
    }
  });

  it('header: accepts the configured header and value (any name case), refuses a wrong or missing one', async () => {
    const url = await serve({ WEBHOOK_AUTH: 'header', WEBHOOK_AUTH_HEADER: 'X-Webhook-Key', WEBHOOK_AUTH_HEADER_VALUE: 'k-123' });
    assert.equal((await post(url, webhookRequest('hello'), { 'x-webhook-key': 'k-123' })).status, 200);
    assert.equal((await post(url, webhookRequest('hello'), { 'X-WEBHOOK-KEY': 'k-123' })).status, 200);
    assert.equal((await post(url, webhookRequest('hello'), { 'x-webhook-key': 'k-1234' })).status, 401);
    assert.equal((await post(url, webhookRequest('hello'), { 'x-webhook-key': '' })).status, 401);
    assert.equal((await post(url, webhookRequest('hello'), { 'x-other': 'k-123' })).status, 401);
  });

  it('header: several pairs are all required at once (the console allows several headers)', async () => {
    const url = await serve({
      WEBHOOK_AUTH: 'header',
      WEBHOOK_AUTH_HEADER: 'X-Webhook-Key',
      WEBHOOK_AUTH_HEADER_VALUE: 'k-123',
      WEBHOOK_AUTH_HEADERS: JSON.stringify({ 'X-Tenant': 'acme', 'x-region': 'eu' }),
    });
    const all = { 'x-webhook-key': 'k-123', 'x-tenant': 'acme', 'x-region': 'eu' };
    assert.equal((await post(url, webhookRequest('hello'), all)).status, 200);
    for (const [name] of Object.entries(all)) {
      const missing = Object.fromEntries(Object.entries(all).filter(([other]) => other !== name));
      assert.equal((await post(url, webhookRequest('hello'), missing)).status, 401, `without ${name}`);
      assert.equal((await post(url, webhookRequest('hello'), { ...all, [name]: 'wrong' })).status, 401, `wrong ${name}`);
    }
    const onlyMap = await serve({ WEBHOOK_AUTH: 'header', WEBHOOK_AUTH_HEADERS: JSON.stringify({ 'x-a': '1', 'x-b': '2' }) });
    assert.equal((await post(onlyMap, webhookRequest('hello'), { 'x-a': '1', 'x-b': '2' })).status, 200);
    assert.equal((await post(onlyMap, webhookRequest('hello'), { 'x-a': '1' })).status, 401);
  });

  it('basic with headers: the credentials and every header are required', async () => {
    const url = await serve({ WEBHOOK_AUTH: 'basic', WEBHOOK_BASIC_USER: 'df', WEBHOOK_BASIC_PASSWORD: 'pw', WEBHOOK_AUTH_HEADERS: '{"x-tenant":"acme"}' });
    assert.equal((await post(url, webhookRequest('hello'), { authorization: basic('df', 'pw'), 'x-tenant': 'acme' })).status, 200);
    assert.equal((await post(url, webhookRequest('hello'), { authorization: basic('df', 'pw') })).status, 401);
    assert.equal((await post(url, webhookRequest('hello'), { authorization: basic('df', 'no'), 'x-tenant': 'acme' })).status, 401);
  });

  describe('id-token', () => {
    let certs: CertServer;
    let stranger: CertServer;
    const audience = 'https://webhook.example.com/dialogflowWebhook';
    const email = dialogflowServiceAgent('123456789012');
    let url: string;
    before(async () => {
      certs = await startCertServer();
      stranger = await startCertServer();
      url = await serve({ WEBHOOK_AUTH: 'id-token', WEBHOOK_ID_TOKEN_AUDIENCE: audience, WEBHOOK_PROJECT_NUMBER: '123456789012', GOOGLE_CERTS_URL: certs.url });
    });
    after(async () => {
      await certs.close();
      await stranger.close();
    });
    const call = (token: string) => post(url, webhookRequest('hello'), { authorization: `Bearer ${token}` });

    it("accepts a token for the audience from the project's Dialogflow service agent", async () => {
      assert.equal(email, 'service-123456789012@gcp-sa-dialogflow.iam.gserviceaccount.com');
      const reply = await call(certs.sign({ aud: audience, email }));
      assert.equal(reply.status, 200, reply.text);
      assert.ok(certs.fetches >= 1);
    });

    it('refuses with 403 a valid Google token of another account (or of an unverified email)', async () => {
      for (const token of [certs.sign({ aud: audience, email: dialogflowServiceAgent('999') }), certs.sign({ aud: audience, email, email_verified: false })]) {
        const reply = await call(token);
        assert.equal(reply.status, 403, reply.text);
        assert.deepEqual(reply.json, { error: 'forbidden' });
      }
    });

    it('refuses with 401: another audience, expiry, a foreign key, no token', async () => {
      const now = Math.floor(Date.now() / 1000);
      const refused = [
        certs.sign({ aud: 'https://elsewhere.example.com', email }),
        certs.sign({ aud: audience, email, iat: now - 7200, exp: now - 3600 }),
        stranger.sign({ aud: audience, email }),
        'not-a-jwt',
      ];
      for (const token of refused) {
        const reply = await call(token);
        assert.equal(reply.status, 401);
        assert.deepEqual(reply.json, { error: 'unauthenticated' });
      }
      assert.equal((await post(url, webhookRequest('hello'))).status, 401);
    });

    it("answers 503, not 401, when Google's certificates cannot be fetched", async () => {
      const down = createServer((_req, res) => res.writeHead(503).end());
      await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
      try {
        const certsUrl = `http://127.0.0.1:${(down.address() as AddressInfo).port}/certs`;
        const outage = await serve({ WEBHOOK_AUTH: 'id-token', WEBHOOK_ID_TOKEN_AUDIENCE: audience, WEBHOOK_PROJECT_NUMBER: '123456789012', GOOGLE_CERTS_URL: certsUrl });
        const reply = await post(outage, webhookRequest('hello'), { authorization: `Bearer ${certs.sign({ aud: audience, email })}` });
        assert.equal(reply.status, 503, reply.text);
      } finally {
        down.close();
      }
    });
  });

  it('configuration names every missing setting at once', () => {
    assert.throws(
      () => loadWebhookConfig({ WEBHOOK_AUTH: 'id-token' }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.includes('WEBHOOK_PROJECT_NUMBER is required') &&
        error.problems.includes('WEBHOOK_ID_TOKEN_AUDIENCE is required'),
    );
    assert.throws(() => loadWebhookConfig({ WEBHOOK_AUTH: 'basic', WEBHOOK_BASIC_USER: 'u' }), /WEBHOOK_BASIC_PASSWORD is required/);
    assert.throws(() => loadWebhookConfig({ WEBHOOK_AUTH: 'magic' }), /WEBHOOK_AUTH must be one of/);
    assert.throws(
      () => loadWebhookConfig({ WEBHOOK_AUTH: 'basic', WEBHOOK_BASIC_USER: 'u', WEBHOOK_BASIC_PASSWORD: 'hunter2', WEBHOOK_DEADLINE_MS: 'soon' }),
      (error: unknown) => error instanceof ConfigError && !error.message.includes('hunter2') && /WEBHOOK_DEADLINE_MS/.test(error.message),
    );
    assert.throws(() => loadWebhookConfig({ WEBHOOK_AUTH: 'header', WEBHOOK_AUTH_HEADERS: '["x"]' }), /WEBHOOK_AUTH_HEADERS must be a JSON object/);
    assert.throws(() => loadWebhookConfig({ WEBHOOK_AUTH: 'header', WEBHOOK_AUTH_HEADERS: '{"bad name":"v"}' }), /WEBHOOK_AUTH_HEADERS must map/);
    assert.throws(() => loadWebhookConfig({ WEBHOOK_AUTH: 'header' }), /WEBHOOK_AUTH_HEADER is required/);
    assert.equal(loadWebhookConfig({}).auth.mode, 'none');
    assert.equal(loadWebhookConfig({}).deadlineMs, 3500);
  });

  it('compares secrets of any length without throwing', () => {
    assert.equal(safeEqual('abc', 'abc'), true);
    assert.equal(safeEqual('abc', 'abcd'), false);
    assert.equal(safeEqual('', 'x'), false);
  });
});
