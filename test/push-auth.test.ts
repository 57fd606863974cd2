/**
 * Pub/Sub push authentication on the event functions: Google-signed OIDC tokens, verified with
 * google-auth-library against certificates a local stand-in serves (keys this test generates).
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { capturedLogs, clearLogs } from './setup';
import { notification, pushEnvelope } from './helpers/events';
import { startCertServer, type CertServer } from './helpers/google-certs';
import { postEvent, startServer, type RunningServer } from './helpers/stack';

const AUDIENCE = 'https://events.example.com/new-message-event';
const PUSHER = 'aa-pubsub-push@test-project.iam.gserviceaccount.com';

describe('event functions with push authentication', function () {
  this.timeout(20_000);
  let certs: CertServer;
  let otherCerts: CertServer;
  let stack: RunningServer;
  const envelope = () => pushEnvelope(notification('new-message-event', 'projects/test-project/conversations/push-auth'));
  const post = (token?: string) =>
    postEvent(stack.url, '/new-message-event', envelope(), token === undefined ? {} : { authorization: `Bearer ${token}` });

  before(async () => {
    [certs, otherCerts] = await Promise.all([startCertServer(), startCertServer()]);
    stack = await startServer({ PUSH_AUTH_AUDIENCE: AUDIENCE, PUSH_AUTH_SERVICE_ACCOUNTS: PUSHER, GOOGLE_CERTS_URL: certs.url });
  });
  after(async () => {
    await stack?.close();
    await Promise.all([certs?.close(), otherCerts?.close()]);
  });

  it('accepts a token from the push service account for the configured audience', async () => {
    assert.equal(await post(certs.sign({ aud: AUDIENCE, email: PUSHER })), 204);
  });

  const now = () => Math.floor(Date.now() / 1000);
  const refusals: Array<[string, () => string | undefined, number]> = [
    ['no token', () => undefined, 401],
    ['a token that is not a JWT', () => 'not-a-jwt', 401],
    ['another audience', () => certs.sign({ aud: 'https://elsewhere.example.com', email: PUSHER }), 401],
    ['an expired token', () => certs.sign({ aud: AUDIENCE, email: PUSHER, iat: now() - 7200, exp: now() - 3600 }), 401],
    ['another issuer', () => certs.sign({ aud: AUDIENCE, email: PUSHER, iss: 'https://evil.example.com' }), 401],
    ['a key Google does not publish', () => otherCerts.sign({ aud: AUDIENCE, email: PUSHER }), 401],
    ['an unverified email', () => certs.sign({ aud: AUDIENCE, email: PUSHER, email_verified: false }), 403],
    ['another service account', () => certs.sign({ aud: AUDIENCE, email: 'someone@else.iam.gserviceaccount.com' }), 403],
  ];
  for (const [name, token, status] of refusals) {
    it(`refuses ${name} with ${status}`, async () => {
      assert.equal(await post(token()), status);
    });
  }

  it('published nothing for the refused deliveries', async () => {
    const history = await stack.context.broker.history('projects/test-project/conversations/push-auth');
    assert.equal(history.length, 1);
  });

  it('answers 503 (Pub/Sub retries) and logs an outage, not a failed authentication, when the certificates cannot be fetched', async () => {
    const down = createServer((_req, res) => res.writeHead(503).end('unavailable'));
    await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(down.address() as AddressInfo).port}/oauth2/v1/certs`;
    const outage = await startServer({ PUSH_AUTH_AUDIENCE: AUDIENCE, PUSH_AUTH_SERVICE_ACCOUNTS: PUSHER, GOOGLE_CERTS_URL: url });
    try {
      clearLogs();
      const token = certs.sign({ aud: AUDIENCE, email: PUSHER });
      const status = await postEvent(outage.url, '/new-message-event', envelope(), { authorization: `Bearer ${token}` });
      assert.equal(status, 503);
      const messages = capturedLogs().map((entry) => String(entry.message));
      assert.ok(messages.some((m) => m.startsWith('push authentication unavailable')), messages.join('\n'));
      assert.ok(!messages.includes('push authentication failed'));
    } finally {
      await outage.close();
      down.close();
    }
  });
});
