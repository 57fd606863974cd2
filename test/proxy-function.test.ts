/**
 * The `dialogflowProxy` function as the functions-framework serves it: its wiring (what
 * `functions/dialogflowProxy.ts` registers) handed an environment object, read on the first request;
 * CORS for browsers, calls forwarded to the stand-in.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { http } from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { dialogflowProxyFunction } from '../src/app/functions/proxy';
import { signToken } from '../src/auth/jwt';
import { loadJwtSettings } from '../src/auth/jwt-config';
import { DialogflowStandIn } from './helpers/dialogflow-stand-in';
import { listen, rawRequest } from './helpers/desktop-requests';

const ENV = {
  GCP_PROJECT_ID: 'entry-project',
  JWT_SECRET: 'entry-point-secret-that-is-long-enough-0123456789',
  JWT_SECRET_PATH: '/nonexistent/jwt_secret_key',
  DIALOGFLOW_ACCESS_TOKEN: 'entry-point-access-token',
  CORS_ALLOWED_ORIGINS: 'https://desktop.example',
};

describe('dialogflowProxy entry point', () => {
  let standIn: DialogflowStandIn;
  let server: Server;
  let base: string;

  before(async () => {
    standIn = await DialogflowStandIn.start();
    const env = { ...ENV, DIALOGFLOW_API_BASE_URL: standIn.url };
    http('dialogflowProxyWithEnv', dialogflowProxyFunction(() => env));
    server = getTestServer('dialogflowProxyWithEnv');
    base = await listen(server);
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await standIn.close();
  });

  it('forwards with the configured credentials and answers browsers of the allowed origin', async () => {
    const jwt = await loadJwtSettings({ ...ENV });
    const path = '/v2/projects/entry-project/locations/global/conversations/c-1';
    const res = await rawRequest(base, 'GET', path, { headers: { authorization: `Bearer ${signToken(jwt, 'a').token}`, origin: 'https://desktop.example' } });
    assert.equal(res.status, 200, res.body);
    assert.equal(res.headers['access-control-allow-origin'], 'https://desktop.example');
    assert.equal(standIn.received.at(-1)?.url, path);
    assert.equal(standIn.received.at(-1)?.headers.authorization, 'Bearer entry-point-access-token');

    const preflight = await rawRequest(base, 'OPTIONS', path, {
      headers: { origin: 'https://desktop.example', 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'authorization,content-type' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], 'https://desktop.example');
  });
});
