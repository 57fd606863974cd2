/**
 * The proxy and the conversation-name API mounted on the relay / local stack, beside `/register`,
 * `/status` and `/ws`, on one origin (as the Python UI connector served them).
 */
import assert from 'node:assert/strict';
import { DialogflowStandIn } from './helpers/dialogflow-stand-in';
import { NativeClient, startServer, TEST_PROJECT, type RunningServer } from './helpers/stack';
import { rawRequest } from './helpers/desktop-requests';

describe('proxy and conversation-name on the relay', function () {
  this.timeout(20_000);
  let standIn: DialogflowStandIn;
  let stack: RunningServer;

  before(async () => {
    standIn = await DialogflowStandIn.start();
    stack = await startServer({ DIALOGFLOW_API_BASE_URL: standIn.url, DIALOGFLOW_ACCESS_TOKEN: 'fixed-local-token' });
  });
  after(async () => {
    await stack?.close();
    await standIn?.close();
  });

  it('forwards an allowlisted call with the configured access token', async () => {
    const path = `/v2beta1/projects/${TEST_PROJECT}/locations/global/conversations/c-1/participants/p-1:analyzeContent`;
    const body = '{"textInput":{"text":"hello","languageCode":"en-US"}}';
    const res = await rawRequest(stack.url, 'POST', path, { headers: { authorization: `Bearer ${stack.token()}`, 'content-type': 'application/json' }, body });
    assert.equal(res.status, 200, res.body);
    assert.equal(standIn.received.at(-1)?.url, path);
    assert.equal(standIn.received.at(-1)?.body, body);
    assert.equal(standIn.received.at(-1)?.headers.authorization, 'Bearer fixed-local-token');
  });

  it('refuses what is not allowlisted, and the other project, without calling Dialogflow', async () => {
    const before = standIn.received.length;
    const auth = { authorization: stack.token() };
    assert.equal((await rawRequest(stack.url, 'DELETE', `/v2/projects/${TEST_PROJECT}/locations/global/conversations/c-1`, { headers: auth })).status, 404);
    assert.equal((await rawRequest(stack.url, 'GET', `/v2/projects/${TEST_PROJECT}/locations/global/conversations/../../../x/conversations/c`, { headers: auth })).status, 404);
    assert.equal((await rawRequest(stack.url, 'GET', '/v2/projects/other/locations/global/conversations/c-1', { headers: auth })).status, 403);
    assert.equal((await rawRequest(stack.url, 'GET', `/v2/projects/${TEST_PROJECT}/locations/global/conversations/c-1`)).status, 401);
    assert.equal(standIn.received.length, before);
  });

  it('serves the conversation-name API from memory when there is no Redis', async () => {
    const auth = { authorization: `Bearer ${stack.token()}` };
    const name = `projects/${TEST_PROJECT}/locations/global/conversations/c-9`;
    const set = await rawRequest(stack.url, 'POST', '/conversation-name', { headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ conversationIntegrationKey: '+15550001', conversationName: name }) });
    assert.deepEqual(JSON.parse(set.body), { '+15550001': name });
    const got = await rawRequest(stack.url, 'GET', '/conversation-name?conversationIntegrationKey=%2B15550001', { headers: auth });
    assert.deepEqual(JSON.parse(got.body), { conversationName: name });
  });

  it('shadows none of the relay’s own routes', async () => {
    assert.equal((await rawRequest(stack.url, 'GET', '/status')).status, 200);
    assert.notEqual((await rawRequest(stack.url, 'POST', '/register')).status, 404);
    const client = await NativeClient.connect(stack.wsUrl, stack.token());
    client.close();
  });
});
