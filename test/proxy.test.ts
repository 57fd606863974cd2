/**
 * The Dialogflow proxy as deployed (functions-framework test server) against a local stand-in for the
 * Dialogflow REST API: allowlisted calls arrive intact, everything else is refused without a call.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { http } from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import sinon from 'sinon';
import { createLogger } from '../src/log';
import { createProxyHandler, type ProxyDeps } from '../src/proxy/handler';
import { DialogflowStandIn } from './helpers/dialogflow-stand-in';
import { forgedTokens, JWT, listen, PROJECT, rawRequest, validToken } from './helpers/desktop-requests';
import { freePort } from './helpers/ports';
import { capturedLogs } from './setup';

const ADC_TOKEN = 'adc-access-token-for-tests';
const P = `/projects/${PROJECT}/locations`;

/** One allowlisted call per rule (and per spelling the rule must accept). */
const ALLOWED: Array<{ method: string; path: string; body?: string }> = [
  { method: 'GET', path: `/v2${P}/global/conversations/c-1` },
  { method: 'GET', path: `/v2beta1${P}/global/conversations/c-1/messages?pageSize=10&filter=create_time%3E%222024%22` },
  { method: 'GET', path: `/v2${P}/us-central1/conversations/c-1/participants/p-1` },
  { method: 'GET', path: `/v2${P}/global/conversationProfiles/prof-1` },
  { method: 'GET', path: `/v2beta1${P}/europe-west2/conversationModels/m-1` },
  { method: 'GET', path: `/v2${P}/global/generators/g-1?$alt=json%3Benum-encoding%3Dint` },
  // `;` separates parameters: `enum-encoding` is one of them, and no method override.
  { method: 'GET', path: `/v2${P}/global/generators/g-1?$alt=json;enum-encoding=int` },
  { method: 'POST', path: `/v2${P}/global/conversations`, body: '{"conversationProfile":"projects/test-project/locations/global/conversationProfiles/prof-1"}' },
  { method: 'POST', path: `/v2${P}/global/conversations?conversationId=my-id`, body: '{"conversationProfile":"x"}' },
  { method: 'POST', path: `/v2${P}/global/conversations/c-1/messages:batchCreate`, body: '{"requests":[{"message":{"content":"hello"}}]}' },
  { method: 'POST', path: `/v2${P}/global/conversations/c-1/participants`, body: '{"role":"END_USER"}' },
  { method: 'POST', path: `/v2beta1${P}/global/conversations/c-1/participants/p-1:analyzeContent`, body: '{"textInput":{"text":"I want a refund","languageCode":"en-US"}}' },
  { method: 'POST', path: `/v2${P}/global/conversations/c-1/participants/p-1/suggestions:suggestArticles`, body: '{"latestMessage":"m","contextSize":3}' },
  { method: 'POST', path: `/v2${P}/global/conversations/c-1/suggestions:suggestConversationSummary`, body: '{}' },
  { method: 'POST', path: `/v2${P}/global/suggestions:searchKnowledge`, body: '{"query":{"text":"refund"},"conversationProfile":"x"}' },
  { method: 'POST', path: `/v2${P}/global/statelessSuggestion:generate`, body: '{"generator":{}}' },
  { method: 'PATCH', path: `/v2${P}/global/answerRecords/ar-1?updateMask=answerFeedback`, body: '{"answerFeedback":{"correctnessLevel":"FULLY_CORRECT"}}' },
  { method: 'PATCH', path: `/v2${P}/global/conversations/c-1/participants/p-1?updateMask=documentsMetadataFilters`, body: '{"documentsMetadataFilters":{}}' },
];

/** Well-formed calls that are not on the allowlist. */
const REFUSED: Array<{ method: string; path: string }> = [
  { method: 'GET', path: `/v2${P}/global/conversations` },
  { method: 'GET', path: `/v2${P}/global/answerRecords` },
  { method: 'GET', path: `/v2${P}/global/answerRecords/ar-1` },
  { method: 'DELETE', path: `/v2${P}/global/conversations/c-1` },
  { method: 'DELETE', path: `/v2${P}/global/conversationProfiles/prof-1` },
  { method: 'PUT', path: `/v2${P}/global/conversations/c-1` },
  { method: 'POST', path: `/v2${P}/global/conversationProfiles` },
  { method: 'POST', path: `/v2${P}/global/conversationProfiles/prof-1:setSuggestionFeatureConfig` },
  { method: 'PATCH', path: `/v2${P}/global/conversationProfiles/prof-1` },
  { method: 'POST', path: `/v2${P}/global/conversationModels` },
  { method: 'GET', path: `/v2${P}/global/knowledgeBases/kb-1` },
  { method: 'POST', path: `/v2${P}/global/agent:train` },
  { method: 'GET', path: `/v2/projects/${PROJECT}/conversations/c-1` },
  { method: 'GET', path: `/v2/projects/${PROJECT}/agent/sessions/s-1` },
  { method: 'POST', path: `/v2${P}/global/suggestions:searchKnowledge/x` },
  { method: 'POST', path: `/v2${P}/global/conversations/` },
  { method: 'GET', path: `/v2${P}/global/generators` },
  { method: 'GET', path: `/v1/projects/${PROJECT}/secrets/s/versions/latest:access` },
  { method: 'GET', path: '/status' },
];

/** Crafted paths aiming at another host, another API, or another project. */
const CRAFTED: string[] = [
  `/v2${P}/global/conversations/../../../../../v2/projects/other/locations/global/conversations/c`,
  `/v2${P}/global/conversations/%2e%2e/%2e%2e/conversationProfiles/x`,
  `/v2${P}/global/conversations/c-1%2F..%2F..%2Fagent`,
  `/v2${P}/global/conversations/.`,
  `/v2${P}/evil.example.com%23/conversations/c-1`,
  `/v2${P}/evil.example.com%2F/conversations/c-1`,
  `/v2${P}/evil.example.com:443/conversations/c-1`,
  `/v2${P}/user@evil.example.com/conversations/c-1`,
  `/v2${P}/Global/conversations/c-1`,
  `/v2${P}/us-central1./conversations/c-1`,
  `/v2${P}/global/conversations/c%5C..%5Cx`,
  `/v2${P}/global/conversations/c%00`,
  `/v2${P}/global/conversations/c%`,
  `//evil.example.com/v2${P}/global/conversations/c-1`,
  `/v2${P}/global/conversations/c-1?$httpMethod=DELETE`,
  `/v2${P}/global/conversations/c-1?x-http-method-override=DELETE`,
  `/v2${P}/global/conversations/c-1?httpMethod=DELETE`,
  // `;` separates parameters for a front end as `&` does.
  `/v2${P}/global/conversations/c-1?pageSize=1;$httpMethod=DELETE`,
  `/v2${P}/global/conversations/c-1/messages?pageSize=1&filter=x;x-http-method-override=DELETE`,
  `/v2${P}/global/conversations/c-1?pageSize=1;%20$method=DELETE`,
  `/v2%2F..${P}/global/conversations/c-1`,
  `/storage/v1/b/bucket/o${P}/global/conversations/c-1`,
  `/v2/projects/${PROJECT}%2F..%2Fother/locations/global/conversations/c-1`,
];

describe('dialogflow proxy', () => {
  let standIn: DialogflowStandIn;
  let base: string;
  let server: Server;
  let deps: ProxyDeps;
  const token = sinon.stub<[], Promise<string>>();
  const auth = (): Record<string, string> => ({ authorization: `Bearer ${validToken()}` });

  before(async () => {
    standIn = await DialogflowStandIn.start();
    http('dialogflowProxyTest', createProxyHandler(async () => deps));
    server = getTestServer('dialogflowProxyTest');
    base = await listen(server);
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await standIn.close();
  });
  beforeEach(() => {
    standIn.reset();
    token.reset();
    token.resolves(ADC_TOKEN);
    deps = { jwt: JWT, log: createLogger('proxy-test'), token, baseUrl: standIn.url, timeoutMs: 2_000 };
  });

  for (const call of ALLOWED) {
    it(`forwards ${call.method} ${call.path.replace(P, '/…')} intact`, async () => {
      const headers = { ...auth(), ...(call.body === undefined ? {} : { 'content-type': 'application/json' }) };
      const res = await rawRequest(base, call.method, call.path, { headers, body: call.body });
      assert.equal(res.status, 200, res.body);
      assert.equal(standIn.received.length, 1);
      const [received] = standIn.received;
      assert.equal(received.method, call.method);
      assert.equal(received.url, call.path, 'path and query exactly as sent');
      assert.equal(received.body, call.body ?? '');
      assert.equal(received.headers.authorization, `Bearer ${ADC_TOKEN}`, 'the proxy authenticates with its own credentials');
      if (call.body !== undefined) assert.equal(received.headers['content-type'], 'application/json');
      assert.equal(res.headers['content-type'], 'application/json; charset=UTF-8');
      assert.equal(res.headers['x-stand-in'], undefined, 'headers outside the passed set are dropped');
      assert.ok(Object.keys(JSON.parse(res.body) as object).length > 0, 'the upstream body is passed back');
    });
  }

  it('forwards conversations:complete with an empty body, whatever the desktop sent', async () => {
    const path = `/v2${P}/global/conversations/c-1:complete`;
    const res = await rawRequest(base, 'POST', path, { headers: { ...auth(), 'content-type': 'application/json' }, body: '{"ignored":true}' });
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body).lifecycleState, 'COMPLETED');
    assert.equal(standIn.received[0].url, path);
    assert.equal(standIn.received[0].body, '');
  });

  it('passes relevant headers such as cache-control back', async () => {
    const res = await rawRequest(base, 'GET', `/v2${P}/global/conversationProfiles/prof-1`, { headers: auth() });
    assert.equal(res.headers['cache-control'], 'private');
  });

  for (const call of REFUSED) {
    it(`refuses ${call.method} ${call.path.replace(P, '/…')} with 404 and no upstream call`, async () => {
      const res = await rawRequest(base, call.method, call.path, { headers: { ...auth(), 'content-type': 'application/json' }, body: call.method === 'GET' ? undefined : '{}' });
      assert.equal(res.status, 404);
      assert.deepEqual(JSON.parse(res.body), { error: 'not found' });
      assert.equal(standIn.received.length, 0);
      assert.equal(token.callCount, 0);
    });
  }

  for (const path of CRAFTED) {
    it(`refuses the crafted path ${path.replace(P, '/…')}`, async () => {
      const res = await rawRequest(base, 'GET', path, { headers: auth() });
      // 404 from the proxy; 400 when the framework's router cannot even decode the path (`c%`).
      assert.ok(res.status === 404 || res.status === 400, `${res.status} ${res.body.slice(0, 200)}`);
      assert.equal(standIn.received.length, 0);
    });
  }

  it('refuses a project other than the token’s with 403 and no upstream call', async () => {
    const res = await rawRequest(base, 'GET', '/v2/projects/other-project/locations/global/conversations/c-1', { headers: auth() });
    assert.equal(res.status, 403);
    assert.equal(standIn.received.length, 0);
  });

  it('refuses a missing token with 401 and no upstream call', async () => {
    const res = await rawRequest(base, 'GET', `/v2${P}/global/conversations/c-1`);
    assert.equal(res.status, 401);
    assert.deepEqual(JSON.parse(res.body), { error: 'missing token' });
    assert.equal(standIn.received.length, 0);
  });

  for (const { name } of forgedTokens()) {
    it(`refuses a token ${name} with 401 and no upstream call`, async () => {
      // Forged when the test runs: a token "not yet valid" at load time is valid once the suite has run a while.
      const forged = forgedTokens().find((candidate) => candidate.name === name)!;
      for (const header of [forged.token, `Bearer ${forged.token}`]) {
        const res = await rawRequest(base, 'POST', `/v2${P}/global/conversations`, { headers: { authorization: header, 'content-type': 'application/json' }, body: '{}' });
        assert.equal(res.status, 401, `${forged.name}: ${res.body}`);
      }
      assert.equal(standIn.received.length, 0);
    });
  }

  it('accepts the raw token as well as Bearer', async () => {
    const res = await rawRequest(base, 'GET', `/v2${P}/global/conversations/c-1`, { headers: { authorization: validToken() } });
    assert.equal(res.status, 200);
  });

  it('passes Dialogflow errors back unchanged', async () => {
    const res = await rawRequest(base, 'GET', `/v2${P}/global/conversations/missing`, { headers: auth() });
    assert.equal(res.status, 404);
    assert.equal(res.headers['content-type'], 'application/json; charset=UTF-8');
    assert.deepEqual(JSON.parse(res.body), {
      error: { code: 404, message: `Conversation projects/${PROJECT}/locations/global/conversations/missing not found.`, status: 'NOT_FOUND' },
    });
  });

  it('passes a compressed answer back decoded, without a stale content-encoding', async () => {
    const res = await rawRequest(base, 'GET', `/v2${P}/global/conversations/gzipped`, { headers: auth() });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-encoding'], undefined);
    assert.deepEqual(JSON.parse(res.body), { name: `projects/${PROJECT}/locations/global/conversations/gzipped`, compressed: true });
  });

  it('answers 504 when Dialogflow is too slow', async () => {
    deps = { ...deps, timeoutMs: 200 };
    const res = await rawRequest(base, 'GET', `/v2${P}/global/conversations/slow`, { headers: auth() });
    assert.equal(res.status, 504);
    assert.deepEqual(JSON.parse(res.body), { error: 'dialogflow did not answer in time' });
    assert.equal(standIn.received.length, 1);
  });

  it('answers 502 when Dialogflow cannot be reached', async () => {
    deps = { ...deps, baseUrl: `http://127.0.0.1:${await freePort()}` };
    const res = await rawRequest(base, 'GET', `/v2${P}/global/conversations/c-1`, { headers: auth() });
    assert.equal(res.status, 502);
    assert.deepEqual(JSON.parse(res.body), { error: 'dialogflow could not be reached' });
  });

  it('answers 502 without calling Dialogflow when no access token can be had', async () => {
    token.rejects(new Error('Could not load the default credentials'));
    const res = await rawRequest(base, 'GET', `/v2${P}/global/conversations/c-1`, { headers: auth() });
    assert.equal(res.status, 502);
    assert.deepEqual(JSON.parse(res.body), { error: 'could not authenticate to dialogflow' });
    assert.equal(standIn.received.length, 0);
  });

  it('never logs bodies, queries or tokens', async () => {
    const marker = 'SECRET-CONVERSATION-TEXT';
    const jwt = validToken();
    await rawRequest(base, 'POST', `/v2${P}/global/conversations/c-1/participants/p-1:analyzeContent?filter=${marker}`, {
      headers: { authorization: `Bearer ${jwt}`, 'content-type': 'application/json' },
      body: JSON.stringify({ textInput: { text: marker } }),
    });
    await rawRequest(base, 'GET', `/v2${P}/global/conversations/missing?q=${marker}`, { headers: { authorization: jwt } });
    const logs = JSON.stringify(capturedLogs());
    assert.ok(logs.includes('dialogflow call'), 'the calls are logged');
    assert.ok(!logs.includes(marker), 'no body or query text in the logs');
    assert.ok(!logs.includes(ADC_TOKEN) && !logs.includes(jwt), 'no token in the logs');
  });
});
