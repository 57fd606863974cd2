/**
 * One table of settings: the README shows exactly what the code declares, every declared name is
 * unique, and a configuration with several mistakes reports all of them at once.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadBrokerConfig } from '../src/broker/config';
import { ALL_SETTINGS, settingsMarkdown } from '../src/app/all-settings';
import { ConfigError } from '../src/config/settings';
import { loadRelayConfig } from '../src/relay/config';

const ROOT = join(__dirname, '..', '..');

describe('settings', () => {
  it('the README settings table is the one the code declares (regenerate with npm run settings)', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const match = /<!-- settings:start -->\n([\s\S]*?)\n<!-- settings:end -->/.exec(readme);
    assert.ok(match, 'README has the settings markers');
    assert.equal(match[1], settingsMarkdown());
  });

  it('declares every name once, with a meaning', () => {
    const seen = new Set<string>();
    for (const { table } of ALL_SETTINGS) {
      for (const [name, setting] of Object.entries(table)) {
        assert.ok(!seen.has(name), `${name} declared twice`);
        seen.add(name);
        assert.ok(setting.doc.length > 10, `${name} has no meaning`);
      }
    }
    for (const name of ['GCP_PROJECT_ID', 'REDISHOST', 'REDISPORT', 'AUTH_OPTION', 'APP_AUTH_OPTION', 'SALESFORCE_DOMAIN', 'SALESFORCE_ORGANIZATION_ID', 'GENESYS_CLOUD_ENVIRONMENT', 'TWILIO_FLEX_ENVIRONMENT', 'TWILIO_ACCOUNT_SID', 'JWT_SECRET_NAME', 'PORT', 'REDIS_URL', 'JWT_SECRET_PATH', 'JWT_SECRET', 'AUTH_SKIP_ALLOWED', 'CORS_ALLOWED_ORIGINS', 'JWT_TOKEN_LIFETIME']) {
      assert.ok(seen.has(name), `the Python backend's (or DESIGN.md's) ${name} is declared`);
    }
  });

  it('reports every problem of a configuration at once', () => {
    assert.throws(
      () => loadRelayConfig({ PORT: 'eighty', RELAY_HEARTBEAT_SECONDS: '0', RELAY_MAX_BUFFERED_BYTES: '-1' }),
      (error: unknown) => error instanceof ConfigError && error.problems.length === 3 && /PORT/.test(error.message) && /RELAY_HEARTBEAT_SECONDS/.test(error.message),
    );
    assert.throws(
      () => loadBrokerConfig({ REDIS_URL: 'http://nope', REDIS_CLUSTER_NODES: 'a:1,b', HISTORY_MAX_LENGTH: '0' }),
      (error: unknown) => error instanceof ConfigError && error.problems.length === 3,
    );
  });

  it('applies local defaults only in local mode', () => {
    assert.equal(loadRelayConfig({}, true).host, '127.0.0.1');
    assert.equal(loadRelayConfig({}, false).host, '0.0.0.0');
    assert.equal(loadBrokerConfig({ REDISHOST: '10.0.0.3' }).redis?.url, 'redis://10.0.0.3:6379');
    assert.equal(loadBrokerConfig({}).redis, undefined);
  });

  it('never echoes a secret in an error', () => {
    assert.throws(
      () => loadBrokerConfig({ REDIS_URL: 'http://user:hunter2-secret@host' }),
      (error: unknown) => error instanceof ConfigError && !error.message.includes('hunter2'),
    );
  });
});
