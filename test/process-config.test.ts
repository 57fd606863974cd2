/**
 * Configuration is read once per process and every bad setting is named at once: `npm start` with six
 * bad settings in six modules names all six and exits non-zero; the relay container and the deployed
 * functions gather theirs the same way; LOG_LEVEL goes through the settings reader.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { http } from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { loadProcessConfig, RELAY_MODE, stackMode } from '../src/app/config';
import { createRegistrationFunctions } from '../src/app/functions/register';
import { loadCoreConfig } from '../src/config/core';
import { ConfigError } from '../src/config/settings';
import { setLogLevel } from '../src/log';
import { capturedLogs, clearLogs } from './setup';
import { listen, rawRequest } from './helpers/desktop-requests';
import { DIST } from './helpers/units';
import { TEST_PROJECT, TEST_SECRET } from './helpers/stack';

const SIX_BAD = {
  PORT: 'not-a-port',
  AUTH_OPTION: 'Nope',
  DIALOGFLOW_PROXY_TIMEOUT_SECONDS: 'soon',
  CONVERSATION_NAME_TTL_SECONDS: '-5',
  WEBHOOK_AUTH: 'weird',
  HISTORY_MAX_LENGTH: 'many',
};

async function run(entry: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [join(DIST, 'src', 'app', entry)], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}

describe('configuration read once per process', () => {
  it('npm start with six bad settings in six modules names all six and exits non-zero', async () => {
    const { code, output } = await run('stack-main.js', { HOST: '127.0.0.1', ...SIX_BAD });
    assert.notEqual(code, 0);
    for (const name of Object.keys(SIX_BAD)) assert.match(output, new RegExp(`${name} must be`), `${name} in:\n${output}`);
    // The line a person at a terminal reads names them too.
    const line = output.split('\n').find((text) => text.startsWith('npm start: '));
    assert.ok(line, output);
    for (const name of Object.keys(SIX_BAD)) assert.ok(line.includes(name), `${name} in ${line}`);
  });

  it('the relay container names every bad setting it reads, and not the event functions\' settings', async () => {
    const { code, output } = await run('relay-main.js', { NODE_ENV: 'production', JWT_SECRET: TEST_SECRET, ...SIX_BAD });
    assert.notEqual(code, 0);
    for (const name of ['PORT', 'AUTH_OPTION', 'DIALOGFLOW_PROXY_TIMEOUT_SECONDS', 'CONVERSATION_NAME_TTL_SECONDS', 'HISTORY_MAX_LENGTH']) {
      assert.match(output, new RegExp(`${name} must be`), name);
    }
    assert.doesNotMatch(output, /WEBHOOK_AUTH must be/, 'the relay container does not mount the webhook');
  });

  it('loadProcessConfig throws one ConfigError with every problem, and reads a good environment', async () => {
    await assert.rejects(loadProcessConfig({ ...SIX_BAD, LOG_LEVEL: 'loud' }, stackMode({})), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.problems.length, 7, error.problems.join('\n'));
      assert.ok(error.problems.some((problem) => problem.startsWith('LOG_LEVEL must be one of')));
      return true;
    });
    const config = await loadProcessConfig({ JWT_SECRET: TEST_SECRET, GCP_PROJECT_ID: TEST_PROJECT }, RELAY_MODE);
    assert.equal(config.core.projectId, TEST_PROJECT);
    assert.equal(config.events, undefined);
    assert.equal(config.webhook, undefined);
    assert.equal(config.relay.port, 8080);
  });

  it('LOG_LEVEL goes through the settings reader: WARN is WARNING, a typo is a problem, unset is INFO', () => {
    assert.equal(loadCoreConfig({ LOG_LEVEL: 'WARN' }).logLevel, 'WARNING');
    assert.equal(loadCoreConfig({ LOG_LEVEL: 'error' }).logLevel, 'ERROR');
    assert.equal(loadCoreConfig({}).logLevel, 'INFO');
    assert.throws(() => loadCoreConfig({ LOG_LEVEL: 'verbose' }), /LOG_LEVEL must be one of DEBUG, INFO, NOTICE, WARNING, ERROR, CRITICAL \(got "verbose"\)/);
  });

  it('a deployed function names every bad setting it uses in one log line, and answers 500', async () => {
    clearLogs();
    const functions = createRegistrationFunctions(() => ({ AUTH_OPTION: 'Nope', LOG_LEVEL: 'loud', JWT_SECRET: 'short' }));
    // Served by the functions-framework, as Cloud Functions serves the entry point.
    http('registerGatheredConfig', functions.register);
    const server = getTestServer('registerGatheredConfig');
    const base = await listen(server);
    try {
      const res = await rawRequest(base, 'POST', '/', { headers: { 'content-type': 'application/json' }, body: '{}' });
      assert.equal(res.status, 500);
    } finally {
      server.closeAllConnections();
      server.close();
      setLogLevel('INFO');
    }
    const failed = capturedLogs().find((entry) => entry.message === 'configuration failed');
    assert.ok(failed, 'logged');
    for (const problem of ['AUTH_OPTION must be one of', 'LOG_LEVEL must be one of', 'GCP_PROJECT_ID is required', 'JWT secret is shorter']) assert.ok(String(failed.error).includes(problem), problem);
  });
});
