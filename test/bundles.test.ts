/**
 * The deployable units (`npm run bundle`), built from this test's own `tsc` output into a directory outside
 * the checkout, each given only the packages its package.json declares, and started the way Cloud Functions
 * runs them: the unit's functions-framework with `--target=<entry point> --source=<unit dir>`. Each must give
 * the correct answer to its probe (event functions publish to a real redis-server).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisServer } from './helpers/redis-server';
import { bundleUnits, PROBES, registeredEntryPoints, ROOT, stageUnit, startUnit, unitEnv, unitToken, type UnitManifestEntry } from './helpers/units';


describe('deployable units (scripts/bundle.mjs) under the functions-framework', function () {
  this.timeout(60_000);
  let out: string;
  let units: UnitManifestEntry[];
  let redis: RedisServer;
  let token: string;

  before(async () => {
    out = mkdtempSync(join(tmpdir(), 'aa-units-'));
    units = bundleUnits(out);
    for (const unit of units) stageUnit(unit.dir);
    redis = await RedisServer.start();
    token = await unitToken();
  });
  after(async () => {
    await redis?.destroy();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('builds one unit per registered entry point, each with main index.js and only production dependencies', () => {
    assert.deepEqual(units.map((unit) => unit.name).sort(), registeredEntryPoints());
    const rootPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const unit of units) {
      const pkg = JSON.parse(readFileSync(join(unit.dir, 'package.json'), 'utf8')) as { main: string; dependencies: Record<string, string>; devDependencies?: unknown };
      assert.equal(pkg.main, 'index.js');
      assert.equal(pkg.devDependencies, undefined);
      assert.ok(pkg.dependencies['@google-cloud/functions-framework'], `${unit.name} declares the functions-framework`);
      for (const name of Object.keys(pkg.dependencies)) assert.ok(rootPackage.dependencies[name], `${unit.name}: ${name} is a production dependency`);
      assert.deepEqual(readdirSync(unit.dir).sort(), ['.gcloudignore', 'index.js', 'node_modules', 'package.json']);
      assert.deepEqual(readFileSync(join(unit.dir, '.gcloudignore'), 'utf8').split('\n').filter((line) => line && !line.startsWith('#')), ['*', '!index.js', '!package.json']);
    }
  });

  it('keeps the large Google libraries out of the bundles and loads them lazily', () => {
    const byName = new Map(units.map((unit) => [unit.name, unit]));
    // Event functions verify push tokens with google-auth-library only when push auth is configured.
    assert.deepEqual(Object.keys(byName.get('newMessageEvent')!.dependencies).sort(), ['@google-cloud/functions-framework', 'google-auth-library']);
    assert.ok(byName.get('register')!.dependencies['@google-cloud/secret-manager']);
    for (const unit of units) {
      const code = readFileSync(join(unit.dir, 'index.js'), 'utf8');
      assert.doesNotMatch(code, /node_modules\/google-auth-library\//, `${unit.name} bundles no google-auth-library`);
      assert.doesNotMatch(code, /node_modules\/@google-cloud\/(secret-manager|pubsub|dialogflow)\//, `${unit.name} bundles no Google client library`);
      assert.doesNotMatch(code, /node_modules\/(express|socket\.io|prom-client)\//, `${unit.name} bundles nothing of the relay`);
    }
  });

  for (const name of Object.keys(PROBES)) {
    it(`${name}: started from its unit, answers its probe correctly`, async () => {
      const unit = units.find((candidate) => candidate.name === name);
      assert.ok(unit, `a unit for ${name}`);
      const running = await startUnit(name, unit.dir, unitEnv({ REDISHOST: '127.0.0.1', REDISPORT: String(redis.port) }), token);
      await running.stop();
    });
  }

  it('an event function with push authentication configured refuses a delivery without a push token', async () => {
    const unit = units.find((candidate) => candidate.name === 'newMessageEvent')!;
    const env = unitEnv({
      REDISHOST: '127.0.0.1',
      REDISPORT: String(redis.port),
      PUSH_AUTH_AUDIENCE: 'https://example.invalid/newMessageEvent',
      PUSH_AUTH_SERVICE_ACCOUNTS: 'pubsub-push@example.iam.gserviceaccount.com',
      GOOGLE_CERTS_URL: 'http://127.0.0.1:9/certs',
    });
    await assert.rejects(startUnit('newMessageEvent', unit.dir, env, token), /answered 401/);
  });
});
