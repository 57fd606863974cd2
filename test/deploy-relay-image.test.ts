/**
 * The relay image's runtime stage, assembled as the Dockerfile does it (there is no Docker engine here): each
 * instruction of the last stage is carried out in a temporary root (ENV, WORKDIR, COPY from the build context
 * through .dockerignore, the `npm ci --omit=dev` RUN against the lockfile, COPY --from=build of the compiled
 * code), then its CMD runs as the stage's USER (`node`, uid 1000 in the official images) and must serve, be
 * unable to write its own files, and exit 0 on SIGTERM. The image's Node version is the Dockerfile's; this test
 * runs the same files on the machine's Node (20 to 24 are supported, package.json `engines`).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envOf, parseDockerfile, stagesOf, type Stage } from './helpers/dockerfile';
import { ignoredBy, npmInstallProduction } from './helpers/install';
import { freePort } from './helpers/ports';
import { RedisServer } from './helpers/redis-server';
import { DIST, ROOT } from './helpers/units';

/** `USER node` in the official Node images. */
const NODE_UID = 1000;
const RUN_NPM_CI = /^npm ci --omit=dev((?: --no-audit| --no-fund)*)(?: && npm cache clean --force)?$/;

interface Assembled {
  readonly root: string;
  readonly workdir: string;
  readonly env: Record<string, string>;
  readonly user?: string;
  readonly cmd: string[];
}

/** Carries out the runtime stage's instructions under `root` (`/app` becomes `<root>/app`). */
async function assemble(stage: Stage, root: string): Promise<Assembled> {
  const dockerignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
  let workdir = root;
  let user: string | undefined;
  let cmd: string[] = [];
  const env: Record<string, string> = {};
  for (const { op, rest } of stage.instructions) {
    if (op === 'ENV') Object.assign(env, envOf({ op, rest }));
    else if (op === 'WORKDIR') mkdirSync((workdir = join(root, rest)), { recursive: true });
    else if (op === 'COPY' && rest.startsWith('--from=build ')) {
      // The build stage compiles with `tsc -p tsconfig.json` into /app/dist: this test's own tsc output.
      const [from, to] = rest.slice('--from=build '.length).split(' ');
      assert.match(from, /^\/app\/dist\//, 'the build stage output is /app/dist');
      cpSync(join(DIST, from.slice('/app/dist/'.length)), join(workdir, to), { recursive: true });
    } else if (op === 'COPY') {
      const parts = rest.split(' ');
      const to = join(workdir, parts.pop()!);
      for (const source of parts) {
        assert.ok(!ignoredBy(dockerignore, source, statSync(join(ROOT, source)).isDirectory()), `.dockerignore keeps ${source} in the build context`);
        cpSync(join(ROOT, source), join(to, source), { recursive: true });
      }
    } else if (op === 'RUN') {
      assert.match(rest, RUN_NPM_CI, 'the runtime stage only installs production dependencies from the lockfile');
      await npmInstallProduction(workdir, 'ci');
    } else if (op === 'USER') user = rest;
    else if (op === 'CMD') cmd = JSON.parse(rest) as string[];
    else assert.ok(op === 'EXPOSE', `an instruction this test knows: ${op}`);
  }
  return { root, workdir, env, user, cmd };
}

/** Makes the tree readable (not writable) by others, as files copied into an image are for `USER node`. */
function readableByAll(dir: string): void {
  chmodSync(dir, 0o755);
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) readableByAll(path);
  }
}

describe('relay image runtime stage (Dockerfile), assembled and run as its user', function () {
  this.timeout(30_000);
  const stages = stagesOf(parseDockerfile(join(ROOT, 'Dockerfile')));
  const runtime = stages.at(-1)!;
  let image: Assembled;
  let redis: RedisServer;
  const asRoot = process.getuid?.() === 0;

  before(async function () {
    this.timeout(240_000);
    const root = mkdtempSync(join(tmpdir(), 'aa-relay-image-'));
    image = await assemble(runtime, root);
    readableByAll(root);
    redis = await RedisServer.start();
  });
  after(async function () {
    this.timeout(120_000);
    await redis?.destroy();
    if (image) await rm(image.root, { recursive: true, force: true });
  });

  it('builds and runs on a supported Node LTS, multi-stage, with NODE_ENV=production and PORT', () => {
    assert.equal(stages.length, 2);
    for (const stage of stages) assert.match(stage.image, /^node:24-/, `${stage.image} is Node 24`);
    assert.equal(image.env.NODE_ENV, 'production');
    assert.equal(image.env.PORT, '8080');
    assert.deepEqual(image.cmd, ['node', 'dist/src/app/relay-main.js']);
  });

  it('installs production dependencies only, without the operator tools\' Dialogflow and Pub/Sub clients', () => {
    const modules = join(image.workdir, 'node_modules');
    for (const name of ['ws', 'socket.io', '@redis/client', 'express']) assert.ok(existsSync(join(modules, name)), `${name} installed`);
    for (const name of ['@google-cloud/dialogflow', '@google-cloud/pubsub', 'typescript', 'mocha', 'esbuild']) {
      assert.ok(!existsSync(join(modules, name)), `${name} is not installed in the image`);
    }
    assert.ok(!existsSync(join(image.workdir, 'src')) && !existsSync(join(image.workdir, 'test')), 'no sources or tests');
  });

  it('runs as a non-root user that cannot write the application files', function () {
    assert.equal(image.user, 'node');
    if (!asRoot) this.skip(); // switching to uid 1000 needs root; the checks above still ran
    const probe = spawnSync(process.execPath, ['-e', `require('fs').writeFileSync(${JSON.stringify(join(image.workdir, 'dist', 'x'))}, 'x')`], { uid: NODE_UID, gid: NODE_UID, encoding: 'utf8' });
    assert.notEqual(probe.status, 0);
    assert.match(probe.stderr, /EACCES/);
  });

  it('starts from its CMD as that user, serves, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const [command, ...args] = image.cmd;
    assert.equal(command, 'node');
    const child: ChildProcess = spawn(process.execPath, args, {
      cwd: image.workdir,
      env: {
        PATH: process.env.PATH ?? '',
        ...image.env,
        // What Cloud Run and cloudbuild.yaml set: the port, the project, the mounted secret, Redis.
        PORT: String(port),
        GCP_PROJECT_ID: 'image-project',
        JWT_SECRET: 'image-test-secret-that-is-long-enough-0123456789',
        REDISHOST: '127.0.0.1',
        REDISPORT: String(redis.port),
        RELAY_SHUTDOWN_SECONDS: '2',
      },
      ...(asRoot ? { uid: NODE_UID, gid: NODE_UID } : {}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const deadline = Date.now() + 20_000;
      let ready = 0;
      while (ready !== 200) {
        assert.equal(child.exitCode, null, `the relay exited: ${output.slice(-1500)}`);
        assert.ok(Date.now() < deadline, `the relay did not get ready: ${output.slice(-1500)}`);
        ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((response) => response.status, () => 0);
        if (ready !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
      if (asRoot) {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        assert.match(status, new RegExp(`^Uid:\\s+${NODE_UID}\\s`, 'm'), 'the process runs as uid 1000');
      }
      const started = Date.now();
      child.kill('SIGTERM');
      const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
      assert.equal(signal, null);
      assert.equal(code, 0, output.slice(-1500));
      assert.ok(Date.now() - started < 5000, 'within the shutdown bound');
      assert.match(output, /"message":"shutting down"/);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
