/**
 * The deployment files checked against the code: cloudbuild.yaml's deploy steps are run with a recording
 * stand-in for gcloud (test/helpers/cloudbuild-run.ts), and every entry point registered in functions/ is
 * deployed (gen2, its own entry point and unit, runtime, accounts, trigger) and every deployed entry point
 * exists; the relay's Cloud Run flags; every substitution used is declared; and the Dockerfile (parsed here;
 * test/deploy-relay-image.test.ts assembles and runs its runtime stage).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getFunction } from '@google-cloud/functions-framework/testing';
import { readCloudBuild, runDeploySteps, substitute, type Recorded } from './helpers/cloudbuild-run';
import { registeredEntryPoints, ROOT } from './helpers/units';

const EVENT_ENTRY_POINTS = ['humanAgentAssistantEvent', 'newMessageEvent', 'conversationLifecycleEvent', 'newRecognitionResultNotificationEvent'];

const { text: cloudbuildText, build: cloudbuild } = readCloudBuild();
const eventScript = readFileSync(join(ROOT, 'scripts', 'deploy-event-function.sh'), 'utf8');
/** What the build sends to gcloud, run here with a recording stand-in (fresh project, default substitutions). */
let recorded: Recorded[] = [];

const flagOf = (args: readonly string[], name: string): string | undefined => args.find((arg) => arg.startsWith(`${name}=`))?.slice(name.length + 1);

/** Entry points deployed by cloudbuild.yaml: the last `gcloud functions deploy` of each, by function name. */
function deployedEntryPoints(): Map<string, string[]> {
  const deployed = new Map<string, string[]>();
  for (const { args } of recorded) {
    if (args[0] === 'functions' && args[1] === 'deploy') {
      const entry = flagOf(args, '--entry-point');
      assert.ok(entry, `gcloud functions deploy ${args[2]} names its entry point`);
      assert.equal(args[2], entry, 'the function is named after its entry point');
      deployed.set(entry, args);
    }
  }
  return deployed;
}

describe('deployment (cloudbuild.yaml, scripts/deploy-*.sh, Dockerfile)', function () {
  this.timeout(60_000);
  before(() => {
    recorded = runDeploySteps();
  });

  it('finds the entry points by scanning functions/ exactly as the functions-framework registers them', async () => {
    await import(join(__dirname, '..', 'functions', 'index.js'));
    for (const name of registeredEntryPoints()) assert.equal(typeof getFunction(name), 'function', name);
  });

  it('deploys every registered entry point, and deploys nothing that is not registered', () => {
    assert.deepEqual([...deployedEntryPoints().keys()].sort(), registeredEntryPoints());
  });

  it('deploys each function as gen2 from its own unit, with its entry point, runtime, account and trigger', () => {
    for (const [entry, args] of deployedEntryPoints()) {
      for (const flag of ['--gen2', `--source=build/functions/${entry}`, '--region=us-central1', '--runtime=nodejs24']) {
        assert.ok(args.includes(flag), `${entry} has ${flag}`);
      }
      assert.ok(flagOf(args, '--run-service-account')?.endsWith('@test-project.iam.gserviceaccount.com'), `${entry} runs as its own service account`);
      assert.equal(flagOf(args, '--build-service-account'), 'projects/test-project/serviceAccounts/aa-build@test-project.iam.gserviceaccount.com');
      assert.ok(args.includes('--trigger-http') || flagOf(args, '--trigger-topic'), `${entry} has a trigger`);
    }
    for (const step of cloudbuild.steps.filter((candidate) => candidate.id.startsWith('deploy-') && candidate.id !== 'deploy-relay')) {
      assert.deepEqual(step.waitFor, ['bundle'], `${step.id} waits for the bundles`);
    }
  });

  it('deploys each event function with its topic, selectable between a push subscription and a Pub/Sub trigger', () => {
    const byStep = new Map(cloudbuild.steps.map((step) => [step.id, step]));
    for (const entry of EVENT_ENTRY_POINTS) {
      assert.match(byStep.get(`deploy-${entry}`)!.args![2], /^\$\{_TOPIC_PREFIX\}[a-z-]+-topic$/, `${entry} names its topic`);
    }
    assert.equal(cloudbuild.substitutions._EVENT_TRIGGER, 'push');
    assert.match(cloudbuildText, /EVENT_TRIGGER=\$\{_EVENT_TRIGGER\}/);
    for (const fragment of ['--trigger-topic="$topic"', '--retry', '--trigger-http --no-allow-unauthenticated', 'PUSH_AUTH_AUDIENCE=$url,PUSH_AUTH_SERVICE_ACCOUNTS=$PUSH_SA']) {
      assert.ok(eventScript.includes(fragment), `deploy-event-function.sh has ${fragment}`);
    }
  });

  it('tests before bundling and bundles before deploying', () => {
    const ids = cloudbuild.steps.map((step) => step.id);
    assert.deepEqual(ids.slice(0, 2), ['test', 'bundle']);
    assert.deepEqual(cloudbuild.steps[0].args, ['.ci/run']);
    assert.deepEqual(cloudbuild.steps[1].args, ['run', 'bundle']);
  });

  it('deploys the relay image to Cloud Run for long-lived WebSockets, with Redis egress and the mounted JWT secret', () => {
    const runs = recorded.filter(({ args }) => args[0] === 'run' && args[1] === 'deploy');
    assert.equal(runs.length, 1);
    const args = runs[0].args;
    assert.equal(args[2], 'aa-relay');
    for (const flag of ['--timeout=3600', '--min-instances=1', '--max-instances=10', '--no-cpu-throttling', '--vpc-egress=private-ranges-only', '--set-secrets=/secret/jwt_secret_key=aa-jwt-secret:latest']) {
      assert.ok(args.includes(flag), `relay has ${flag}`);
    }
    const image = flagOf(args, '--image')!;
    assert.deepEqual(cloudbuild.images?.map((name) => substitute(name, cloudbuild.substitutions)), [image]);
    assert.ok(cloudbuild.steps.some((candidate) => candidate.id === 'image' && candidate.args?.map((arg) => substitute(arg, cloudbuild.substitutions)).includes(image)));
  });

  it('declares every substitution it uses and uses every one it declares', () => {
    const used = new Set([...cloudbuildText.matchAll(/\$\{(_[A-Z0-9_]+)\}/g)].map((match) => match[1]));
    assert.deepEqual([...used].sort(), Object.keys(cloudbuild.substitutions).sort());
  });

  describe('Dockerfile', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const instructions = dockerfile
      .replace(/\\\n/g, ' ')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => ({ op: line.split(/\s+/)[0].toUpperCase(), rest: line.slice(line.indexOf(' ') + 1).trim() }));
    const runtimeStart = instructions.map((i) => i.op).lastIndexOf('FROM');
    const runtime = instructions.slice(runtimeStart);

    it('is multi-stage, and the runtime stage installs production dependencies only and copies compiled code', () => {
      assert.equal(instructions.filter((i) => i.op === 'FROM').length, 2);
      assert.ok(runtime.some((i) => i.op === 'RUN' && /npm ci --omit=dev/.test(i.rest)));
      assert.ok(runtime.some((i) => i.op === 'COPY' && i.rest.startsWith('--from=build') && i.rest.includes('dist/src')));
      assert.ok(!runtime.some((i) => i.op === 'COPY' && /\bsrc\b/.test(i.rest) && !i.rest.startsWith('--from')), 'no TypeScript sources at runtime');
    });

    it('runs as a non-root user, honours PORT, and starts the relay', () => {
      const users = runtime.filter((i) => i.op === 'USER').map((i) => i.rest);
      assert.equal(users.length, 1);
      assert.doesNotMatch(users[0], /^(root|0)(:|$)/);
      assert.ok(runtime.some((i) => i.op === 'ENV' && /NODE_ENV=production/.test(i.rest) && /PORT=8080/.test(i.rest)));
      assert.deepEqual(JSON.parse(runtime.find((i) => i.op === 'CMD')!.rest), ['node', 'dist/src/app/relay-main.js']);
      assert.match(readFileSync(join(ROOT, 'src', 'app', 'relay-main.ts'), 'utf8'), /process\.env/, 'the relay reads PORT from the environment');
    });

    it("the relay's entry point needs only production dependencies", async () => {
      const esbuild = await import('esbuild');
      const result = await esbuild.build({ entryPoints: [join(__dirname, '..', 'src', 'app', 'relay-main.js')], bundle: true, platform: 'node', packages: 'external', write: false, metafile: true, logLevel: 'silent' });
      const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
      const builtins = new Set((await import('node:module')).builtinModules);
      const packages = new Set<string>();
      for (const output of Object.values(result.metafile.outputs)) {
        for (const imported of output.imports) {
          if (!imported.external || imported.path.startsWith('node:') || builtins.has(imported.path.split('/')[0])) continue;
          const parts = imported.path.split('/');
          packages.add(imported.path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
        }
      }
      assert.ok(packages.has('ws') && packages.has('socket.io'));
      for (const name of packages) assert.ok(pkg.dependencies[name], `${name} is a production dependency`);
    });
  });
});
