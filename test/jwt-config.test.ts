/** Where the JWT secret comes from, in order, and what stops the process at start. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sinon from 'sinon';
import { signToken, verifyToken } from '../src/auth/jwt';
import { keyId, loadJwtSettings } from '../src/auth/jwt-config';
import { ConfigError } from '../src/config/settings';

const FILE_SECRET = 'file-secret-0123456789-0123456789-0123456789';
const SM_CURRENT = 'secret-manager-current-0123456789-0123456789';
const SM_PREVIOUS = 'secret-manager-previous-0123456789-012345678';
const ENV_SECRET = 'env-secret-0123456789-0123456789-0123456789ab';
const PROJECT = { GCP_PROJECT_ID: 'test-project' };

const kid = (secret: string) => keyId(Buffer.from(secret));

function problemsOf(error: unknown): string {
  assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
  return error.problems.join('\n');
}

describe('JWT secret loading', () => {
  let dir: string;
  let file: string;
  const missing = () => join(dir, 'absent');
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jwt-secret-'));
    file = join(dir, 'jwt_secret_key');
    await writeFile(file, `${FILE_SECRET}\n`);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('reads the mounted file first (trailing newline dropped)', async () => {
    const readSecretManager = sinon.stub().rejects(new Error('must not be called'));
    const jwt = await loadJwtSettings({ ...PROJECT, JWT_SECRET_PATH: file, JWT_SECRET_NAME: 'jwt', JWT_SECRET: ENV_SECRET }, false, { readSecretManager });
    assert.deepEqual(jwt.keys.map((k) => k.kid), [kid(FILE_SECRET)]);
    assert.equal(jwt.keys[0].secret.toString(), FILE_SECRET);
    assert.equal(readSecretManager.callCount, 0);
  });

  it('reads Secret Manager when there is no file: the latest version signs, the previous one verifies', async () => {
    const readSecretManager = sinon.stub().resolves({ current: SM_CURRENT, previous: SM_PREVIOUS });
    const jwt = await loadJwtSettings({ ...PROJECT, JWT_SECRET_PATH: missing(), JWT_SECRET_NAME: 'jwt', JWT_SECRET: ENV_SECRET }, false, { readSecretManager });
    assert.deepEqual(jwt.keys.map((k) => k.kid), [kid(SM_CURRENT), kid(SM_PREVIOUS)]);
    assert.deepEqual(readSecretManager.firstCall.args, ['jwt', 'test-project']);
    const before = await loadJwtSettings({ ...PROJECT, JWT_SECRET: SM_PREVIOUS });
    const { token } = signToken(before, 'agent');
    assert.equal(verifyToken(jwt, token).gcp_agent_assist_user, 'agent');
  });

  it('reads JWT_SECRET when there is neither file nor secret name, plus JWT_PREVIOUS_SECRET', async () => {
    const jwt = await loadJwtSettings({ ...PROJECT, JWT_SECRET_PATH: missing(), JWT_SECRET: ENV_SECRET, JWT_PREVIOUS_SECRET: SM_PREVIOUS });
    assert.deepEqual(jwt.keys.map((k) => k.kid), [kid(ENV_SECRET), kid(SM_PREVIOUS)]);
  });

  it('generates a throwaway secret in local mode only', async () => {
    const local = await loadJwtSettings({ JWT_SECRET_PATH: missing() }, true);
    assert.equal(local.keys.length, 1);
    assert.ok(local.keys[0].secret.length >= 32);
    assert.equal(local.projectId, 'local-project');
    const error = await loadJwtSettings({ ...PROJECT, JWT_SECRET_PATH: missing() }).catch((e: unknown) => e);
    assert.match(problemsOf(error), /no JWT secret/);
  });

  it('refuses to start with a secret shorter than 32 bytes, from any source', async () => {
    const shortFile = join(dir, 'short');
    await writeFile(shortFile, 'short-secret\n');
    const cases = [
      { JWT_SECRET_PATH: shortFile },
      { JWT_SECRET_PATH: missing(), JWT_SECRET: 'x'.repeat(31) },
      { JWT_SECRET_PATH: missing(), JWT_SECRET: ENV_SECRET, JWT_PREVIOUS_SECRET: 'too-short' },
    ];
    for (const env of cases) {
      const error = await loadJwtSettings({ ...PROJECT, ...env }).catch((e: unknown) => e);
      assert.match(problemsOf(error), /shorter than 32 bytes/);
      assert.doesNotMatch(problemsOf(error), /short-secret|too-short|xxxx/, 'the secret itself is never echoed');
    }
    const fromSecretManager = await loadJwtSettings({ ...PROJECT, JWT_SECRET_PATH: missing(), JWT_SECRET_NAME: 'jwt' }, false, {
      readSecretManager: async () => ({ current: 'tiny' }),
    }).catch((e: unknown) => e);
    assert.match(problemsOf(fromSecretManager), /current JWT secret is shorter than 32 bytes/);
  });

  it('lists every problem at once', async () => {
    const error = await loadJwtSettings({ JWT_SECRET_PATH: missing(), JWT_TOKEN_LIFETIME: '0' }).catch((e: unknown) => e);
    const problems = problemsOf(error);
    assert.match(problems, /JWT_TOKEN_LIFETIME/);
    assert.match(problems, /GCP_PROJECT_ID is required/);
    assert.match(problems, /no JWT secret/);
  });

  it('does not load the Secret Manager client unless JWT_SECRET_NAME is used', async () => {
    const script = `
      const { loadJwtSettings } = require(${JSON.stringify(join(__dirname, '../src/auth/jwt-config.js'))});
      loadJwtSettings({ GCP_PROJECT_ID: 'p', JWT_SECRET_PATH: '/nonexistent/jwt', JWT_SECRET: '${ENV_SECRET}' }).then(() => {
        process.stdout.write(String(Object.keys(require.cache).some((path) => path.includes('secret-manager'))));
      });`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script]);
    assert.equal(stdout, 'false');
  });
});
