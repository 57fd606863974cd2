/**
 * The deployment files checked against the code: every entry point registered in functions/ is deployed by
 * cloudbuild.yaml (gen2, its own entry point and unit, the right trigger) and every deployed entry point
 * exists; the relay's Cloud Run flags; every substitution used is declared; and the Dockerfile (there is no
 * Docker engine here, so it is parsed, and its command is checked to need production dependencies only).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getFunction } from '@google-cloud/functions-framework/testing';
import { parse } from 'yaml';
import { registeredEntryPoints, ROOT } from './helpers/units';

const EVENT_ENTRY_POINTS = ['humanAgentAssistantEvent', 'newMessageEvent', 'conversationLifecycleEvent', 'newRecognitionResultNotificationEvent'];

interface Step {
  id: string;
  name: string;
  entrypoint?: string;
  args?: string[];
  waitFor?: string[];
}
interface CloudBuild {
  substitutions: Record<string, string>;
  steps: Step[];
  images?: string[];
}

const cloudbuildText = readFileSync(join(ROOT, 'cloudbuild.yaml'), 'utf8');
const cloudbuild = parse(cloudbuildText) as CloudBuild;
const eventScript = readFileSync(join(ROOT, 'scripts', 'deploy-event-function.sh'), 'utf8');


/** Entry points deployed by cloudbuild.yaml: `gcloud functions deploy` steps and the event-function script. */
function deployedEntryPoints(): Map<string, Step> {
  const deployed = new Map<string, Step>();
  for (const step of cloudbuild.steps) {
    const args = step.args ?? [];
    if (step.entrypoint === 'gcloud' && args[0] === 'functions' && args[1] === 'deploy') {
      const entry = args.find((arg) => arg.startsWith('--entry-point='))?.slice('--entry-point='.length);
      assert.ok(entry, `${step.id} names its entry point`);
      deployed.set(entry, step);
    } else if (args[0] === 'scripts/deploy-event-function.sh') {
      deployed.set(args[1], step);
    }
  }
  return deployed;
}

describe('deployment (cloudbuild.yaml, scripts/deploy-event-function.sh, Dockerfile)', () => {
  it('finds the entry points by scanning functions/ exactly as the functions-framework registers them', async () => {
    await import(join(__dirname, '..', 'functions', 'index.js'));
    for (const name of registeredEntryPoints()) assert.equal(typeof getFunction(name), 'function', name);
  });

  it('deploys every registered entry point, and deploys nothing that is not registered', () => {
    assert.deepEqual([...deployedEntryPoints().keys()].sort(), registeredEntryPoints());
  });

  it('deploys each HTTP function as gen2, from its own unit, with its entry point and an HTTP trigger', () => {
    for (const [entry, step] of deployedEntryPoints()) {
      if (EVENT_ENTRY_POINTS.includes(entry)) continue;
      const args = step.args!;
      assert.equal(args[2], entry, `${step.id}: function name`);
      for (const flag of ['--gen2', '--trigger-http', `--source=build/functions/${entry}`, '--region=${_REGION}', '--runtime=${_RUNTIME}']) {
        assert.ok(args.includes(flag), `${step.id} has ${flag}`);
      }
      assert.ok(args.some((arg) => arg.startsWith('--run-service-account=')), `${step.id} runs as its own service account`);
      assert.deepEqual(step.waitFor, ['bundle']);
    }
  });

  it('deploys each event function with its topic, selectable between a push subscription and a Pub/Sub trigger', () => {
    const deployed = deployedEntryPoints();
    for (const entry of EVENT_ENTRY_POINTS) {
      const step = deployed.get(entry)!;
      assert.match(step.args![2], /^\$\{_TOPIC_PREFIX\}[a-z-]+-topic$/, `${entry} names its topic`);
    }
    assert.equal(cloudbuild.substitutions._EVENT_TRIGGER, 'push');
    assert.match(cloudbuildText, /EVENT_TRIGGER=\$\{_EVENT_TRIGGER\}/);
    for (const fragment of [
      '--gen2',
      '--entry-point="$name"',
      '--source="build/functions/$name"',
      '--trigger-topic="$topic"',
      '--retry',
      '--trigger-http --no-allow-unauthenticated',
      '--push-endpoint="$url"',
      '--push-auth-service-account="$PUSH_SA"',
      '--push-auth-token-audience="$url"',
      'PUSH_AUTH_AUDIENCE=$url,PUSH_AUTH_SERVICE_ACCOUNTS=$PUSH_SA',
      '--dead-letter-topic="$DEAD_LETTER_TOPIC"',
      '--max-delivery-attempts="$MAX_DELIVERY_ATTEMPTS"',
      '--min-retry-delay=',
    ]) {
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
    const step = cloudbuild.steps.find((candidate) => candidate.id === 'deploy-relay')!;
    const args = step.args!;
    assert.deepEqual(args.slice(0, 2), ['run', 'deploy']);
    for (const flag of ['--timeout=3600', '--min-instances=${_RELAY_MIN_INSTANCES}', '--no-cpu-throttling', '--vpc-connector=${_VPC_CONNECTOR}', '--vpc-egress=private-ranges-only', '--set-secrets=/secret/jwt_secret_key=${_JWT_SECRET}:latest']) {
      assert.ok(args.includes(flag), `relay has ${flag}`);
    }
    const image = args.find((arg) => arg.startsWith('--image='))!.slice('--image='.length);
    assert.deepEqual(cloudbuild.images, [image]);
    assert.ok(cloudbuild.steps.some((candidate) => candidate.id === 'image' && candidate.args?.includes(image)));
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
      assert.deepEqual(JSON.parse(runtime.find((i) => i.op === 'CMD')!.rest), ['node', 'dist/src/relay/main.js']);
      assert.match(readFileSync(join(ROOT, 'src', 'relay', 'main.ts'), 'utf8'), /process\.env/, 'the relay reads PORT from the environment');
    });

    it("the relay's entry point needs only production dependencies", async () => {
      const esbuild = await import('esbuild');
      const result = await esbuild.build({ entryPoints: [join(__dirname, '..', 'src', 'relay', 'main.js')], bundle: true, platform: 'node', packages: 'external', write: false, metafile: true, logLevel: 'silent' });
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
