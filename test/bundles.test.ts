/**
 * The deployable units (`npm run bundle`), built from this test's own `tsc` output into a directory outside
 * the checkout, then deployed as Cloud Functions builds them: only the files the unit's `.gcloudignore`
 * uploads are copied to a fresh directory, `npm ci --omit=dev` installs them from the unit's own lockfile, and
 * the unit starts under its installed functions-framework with `--target=<entry point> --source=<dir>`. Each
 * must give the correct answer to its first request (event functions publish to a real redis-server).
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyUploaded, inBatches, npmInstallProduction } from './helpers/install';
import { RedisServer } from './helpers/redis-server';
import { bundleUnits, PROBES, registeredEntryPoints, ROOT, startUnit, unitEnv, unitToken, type UnitManifestEntry } from './helpers/units';

/** Packages only the operator tools use; no deployed unit may install them. */
const OPERATOR_ONLY = ['@google-cloud/dialogflow', '@google-cloud/pubsub'];

describe('deployable units (scripts/bundle.mjs) installed from their upload and run under the functions-framework', function () {
  this.timeout(60_000);
  let out: string;
  let units: UnitManifestEntry[];
  /** Entry point → the directory holding what was uploaded, installed with npm ci. */
  const deployed = new Map<string, string>();
  const uploaded = new Map<string, string[]>();
  let redis: RedisServer;
  let token: string;

  before(async function () {
    this.timeout(300_000);
    out = mkdtempSync(join(tmpdir(), 'aa-units-'));
    units = bundleUnits(join(out, 'build'));
    for (const unit of units) {
      const dir = join(out, 'deployed', unit.name);
      mkdirSync(dir, { recursive: true });
      uploaded.set(unit.name, copyUploaded(unit.dir, dir));
      deployed.set(unit.name, dir);
    }
    // Units sharing a dependency set lock the same packages: the first of each set gets a clean `npm ci`; the
    // others start from a copy of its node_modules and run `npm install --omit=dev` against their own
    // lockfile, which changes whatever differs. Nine clean installs would take minutes on two shared cores.
    const sets = new Map<string, UnitManifestEntry[]>();
    for (const unit of units) {
      const key = JSON.stringify(Object.entries(unit.dependencies).sort());
      sets.set(key, [...(sets.get(key) ?? []), unit]);
    }
    await inBatches([...sets.values()], 2, async ([first, ...others]) => {
      await npmInstallProduction(deployed.get(first.name)!, 'ci');
      for (const unit of others) {
        cpSync(join(deployed.get(first.name)!, 'node_modules'), join(deployed.get(unit.name)!, 'node_modules'), { recursive: true });
        await npmInstallProduction(deployed.get(unit.name)!, 'install');
      }
    });
    redis = await RedisServer.start();
    token = await unitToken();
  });
  after(async function () {
    // Nine installed trees: removing them takes a while on a busy disk.
    this.timeout(180_000);
    await redis?.destroy();
    if (out) await rm(out, { recursive: true, force: true });
  });

  it('builds one unit per registered entry point, each with main index.cjs (CommonJS by its name: no package.json lookup by the framework at start) and only production dependencies', () => {
    assert.deepEqual(units.map((unit) => unit.name).sort(), registeredEntryPoints());
    const rootPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const unit of units) {
      const pkg = JSON.parse(readFileSync(join(unit.dir, 'package.json'), 'utf8')) as { main: string; dependencies: Record<string, string>; devDependencies?: unknown };
      assert.equal(pkg.main, 'index.cjs');
      assert.equal(pkg.devDependencies, undefined);
      assert.ok(pkg.dependencies['@google-cloud/functions-framework'], `${unit.name} declares the functions-framework`);
      for (const name of Object.keys(pkg.dependencies)) assert.ok(rootPackage.dependencies[name], `${unit.name}: ${name} is a production dependency`);
      assert.deepEqual(readdirSync(unit.dir).sort(), ['.gcloudignore', 'index.cjs', 'package-lock.json', 'package.json']);
      assert.deepEqual(uploaded.get(unit.name), ['index.cjs', 'package-lock.json', 'package.json'], `${unit.name} uploads the bundle, package.json and lockfile only`);
    }
  });

  it('pins every installed version: each unit\'s lockfile matches the project\'s lockfile, entry for entry', () => {
    const rootLock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; integrity?: string }> };
    for (const unit of units) {
      const lock = JSON.parse(readFileSync(join(unit.dir, 'package-lock.json'), 'utf8')) as { lockfileVersion: number; packages: Record<string, { version?: string; integrity?: string }> };
      assert.equal(lock.lockfileVersion, 3);
      const paths = Object.keys(lock.packages).filter((path) => path !== '');
      assert.ok(paths.length > 10, `${unit.name} locks its transitive dependencies (${paths.length} entries)`);
      for (const path of paths) {
        assert.equal(lock.packages[path].version, rootLock.packages[path]?.version, `${unit.name}: ${path} at the project's version`);
        assert.equal(lock.packages[path].integrity, rootLock.packages[path]?.integrity, `${unit.name}: ${path} with the project's integrity`);
      }
      // What npm ci actually installed is what the lockfile says.
      const dir = deployed.get(unit.name)!;
      for (const path of paths) {
        const installed = join(dir, path, 'package.json');
        if (!existsSync(installed)) continue; // an optional package for another platform
        assert.equal((JSON.parse(readFileSync(installed, 'utf8')) as { version: string }).version, lock.packages[path].version, `${unit.name}: installed ${path}`);
      }
    }
  });

  it('installs no operator-only client (Dialogflow, Pub/Sub) in any unit', () => {
    for (const unit of units) {
      const dir = deployed.get(unit.name)!;
      for (const name of OPERATOR_ONLY) assert.ok(!existsSync(join(dir, 'node_modules', name)), `${unit.name} does not install ${name}`);
    }
  });

  it('keeps the large Google libraries out of the bundles and loads them lazily', () => {
    const byName = new Map(units.map((unit) => [unit.name, unit]));
    // Event functions verify push tokens with google-auth-library only when push auth is configured.
    assert.deepEqual(Object.keys(byName.get('newMessageEvent')!.dependencies).sort(), ['@google-cloud/functions-framework', 'google-auth-library']);
    assert.ok(byName.get('register')!.dependencies['@google-cloud/secret-manager']);
    for (const unit of units) {
      const code = readFileSync(join(unit.dir, 'index.cjs'), 'utf8');
      assert.doesNotMatch(code, /node_modules\/google-auth-library\//, `${unit.name} bundles no google-auth-library`);
      assert.doesNotMatch(code, /node_modules\/@google-cloud\/(secret-manager|pubsub|dialogflow)\//, `${unit.name} bundles no Google client library`);
      assert.doesNotMatch(code, /node_modules\/(express|socket\.io|prom-client)\//, `${unit.name} bundles nothing of the relay`);
    }
  });

  for (const name of Object.keys(PROBES)) {
    it(`${name}: installed from its upload, started by its own functions-framework, answers its first request`, async () => {
      const dir = deployed.get(name);
      assert.ok(dir, `a deployed unit for ${name}`);
      const running = await startUnit(name, dir, unitEnv({ REDISHOST: '127.0.0.1', REDISPORT: String(redis.port) }), token);
      await running.stop();
    });
  }

  it('an event function with push authentication configured refuses a delivery without a push token', async () => {
    const dir = deployed.get('newMessageEvent')!;
    const env = unitEnv({
      REDISHOST: '127.0.0.1',
      REDISPORT: String(redis.port),
      PUSH_AUTH_AUDIENCE: 'https://example.invalid/newMessageEvent',
      PUSH_AUTH_SERVICE_ACCOUNTS: 'pubsub-push@example.iam.gserviceaccount.com',
      GOOGLE_CERTS_URL: 'http://127.0.0.1:9/certs',
    });
    await assert.rejects(startUnit('newMessageEvent', dir, env, token), /answered 401/);
  });
});
