/**
 * Every gcloud command the project ships, checked against what Google's reference pages say
 * (test/helpers/deploy-rules.ts): the commands cloudbuild.yaml's steps send (run with a recording stand-in, in
 * each mode: push and topic triggers, Direct VPC egress and connector, fresh and existing project), and the
 * commands written in docs/deploy.md, docs/operations.md and the README. Refused: a decommissioned runtime, a
 * function deploy without --cpu and --concurrency, a subscription that expires, an unquoted substitutions
 * argument, and the other traps listed in the rules. The rules are first shown to refuse the old mistakes.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readCloudBuild, runDeploySteps, type Recorded } from './helpers/cloudbuild-run';
import { gcloudProblems, nodeImageProblems, runtimeDeployable, type GcloudCall } from './helpers/deploy-rules';
import { parseDockerfile, stagesOf } from './helpers/dockerfile';
import { programWords, shellBlocks, shellCommands } from './helpers/shell-commands';
import { ROOT } from './helpers/units';

const DOCS = ['docs/deploy.md', 'docs/operations.md', 'README.md'];

/** The gcloud commands in a file's shell text (a Markdown file's ```sh blocks, or a whole script). */
function gcloudCallsIn(file: string): GcloudCall[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const blocks = file.endsWith('.md') ? shellBlocks(text) : [{ code: text, line: 1 }];
  const calls: GcloudCall[] = [];
  for (const block of blocks) {
    for (const command of shellCommands(block.code)) {
      const words = programWords(command);
      if (words[0]?.text !== 'gcloud') continue;
      calls.push({ args: words.slice(1).map((word) => word.text), raw: words.slice(1), next: command.next, where: `${file}:${block.line + command.line - 1}` });
    }
  }
  return calls;
}

const fromRecorded = (recorded: Recorded[], mode: string): GcloudCall[] => recorded.map(({ step, args }) => ({ args, where: `cloudbuild.yaml ${step} (${mode})` }));
const problemsOf = (calls: GcloudCall[]): string[] => calls.flatMap((call) => gcloudProblems(call));
const sh = (code: string): GcloudCall[] =>
  shellCommands(code)
    .map((command) => ({ command, words: programWords(command) }))
    .filter(({ words }) => words[0]?.text === 'gcloud')
    .map(({ command, words }) => ({ args: words.slice(1).map((word) => word.text), raw: words.slice(1), next: command.next, where: 'sample' }));

describe('deploy commands (cloudbuild.yaml, scripts, docs) against the gcloud and Cloud Run references', function () {
  this.timeout(60_000);

  describe('the rules refuse the mistakes they exist for', () => {
    it('a decommissioned runtime, and a function deploy without --cpu and --concurrency', () => {
      assert.ok(!runtimeDeployable('nodejs20', new Date('2026-12-01')) && runtimeDeployable('nodejs24', new Date('2026-12-01')));
      const problems = problemsOf(sh('gcloud functions deploy f --gen2 --runtime=nodejs20 --trigger-http --memory=256Mi'));
      assert.ok(problems.some((p) => /runtime nodejs20 is decommissioned/.test(p)), problems.join('\n'));
      assert.ok(problems.some((p) => /without both --cpu and --concurrency/.test(p)));
      assert.ok(problems.some((p) => /--build-service-account/.test(p)));
      assert.ok(problemsOf(sh('gcloud functions deploy f --runtime=nodejs24 --cpu=0.5 --concurrency=80 --memory=512Mi --build-service-account=b')).some((p) => /needs --cpu of at least 1/.test(p)));
    });

    it('a subscription without --expiration-period=never', () => {
      assert.equal(problemsOf(sh('gcloud pubsub subscriptions create s --topic=t --push-endpoint="$URL"')).length, 1);
      assert.deepEqual(problemsOf(sh('gcloud pubsub subscriptions create s --topic=t --expiration-period=never')), []);
    });

    it('an unquoted substitutions argument (the shell pipes at its |), and a quoted one passes', () => {
      const unquoted = 'gcloud builds submit --config=cloudbuild.yaml --substitutions=^~^_REGION=$REGION~\\\n_AUTH_ENV=SALESFORCE_DOMAIN=acme.my.salesforce.com|SALESFORCE_ORGANIZATION_ID=00D~_X=y';
      const problems = problemsOf(sh(unquoted));
      assert.ok(problems.some((p) => /piped into another command/.test(p)), problems.join('\n'));
      assert.ok(problems.some((p) => /must be quoted/.test(p)), problems.join('\n'));
      assert.deepEqual(problemsOf(sh('gcloud builds submit --substitutions="^~^_REGION=$REGION~_AUTH_ENV=A=1|B=2"')), []);
      assert.deepEqual(problemsOf(sh("gcloud functions deploy f --runtime=nodejs24 --cpu=1 --concurrency=80 --memory=512Mi --build-service-account=b '--set-env-vars=^|^A=1|B=2'")), []);
    });

    it('both --config-from-file and --log-filter, --auto-ack=false, a connector with Direct VPC egress', () => {
      assert.equal(problemsOf(sh("gcloud logging metrics create m --description=d --log-filter='x' --config-from-file=-")).length, 1);
      assert.equal(problemsOf(sh('gcloud pubsub subscriptions pull s --limit=10 --auto-ack=false')).length, 1);
      assert.equal(problemsOf(sh('gcloud run deploy r --network=default --subnet=default --vpc-connector=c')).length, 1);
    });
  });

  describe('cloudbuild.yaml, as its steps run', () => {
    const modes: Array<[string, Record<string, string>, boolean]> = [
      ['push, direct VPC egress, fresh project', {}, false],
      ['push, connector', { _VPC_EGRESS: 'connector' }, false],
      ['topic trigger', { _EVENT_TRIGGER: 'topic' }, false],
      ['push, direct VPC egress, project that used a connector', {}, true],
    ];
    const runs = new Map<string, Recorded[]>();
    before(() => {
      for (const [mode, overrides, existing] of modes) runs.set(mode, runDeploySteps(overrides, existing));
    });
    const deploys = (mode: string): Recorded[] => runs.get(mode)!.filter(({ args }) => args[0] === 'functions' && args[1] === 'deploy');

    it('sends no command the rules refuse, in any mode', () => {
      for (const [mode] of modes) assert.deepEqual(problemsOf(fromRecorded(runs.get(mode)!, mode)), [], mode);
    });

    it('deploys every function on nodejs24 with one vCPU, concurrency 80 and 512 MiB; the webhook keeps one instance warm', () => {
      const all = deploys('push, direct VPC egress, fresh project');
      assert.ok(all.length >= 9);
      for (const { args } of all) for (const flag of ['--runtime=nodejs24', '--cpu=1', '--concurrency=80', '--memory=512Mi']) assert.ok(args.includes(flag), `${args[2]} has ${flag}`);
      assert.ok(all.find(({ args }) => args[2] === 'dialogflowWebhook')!.args.includes('--min-instances=1'));
    });

    it('limits event functions to internal ingress (Pub/Sub and Eventarc in the project still reach them)', () => {
      for (const mode of ['push, direct VPC egress, fresh project', 'topic trigger']) {
        for (const { args } of deploys(mode).filter(({ args }) => args[2].endsWith('Event'))) assert.ok(args.includes('--ingress-settings=internal-only'), `${mode}: ${args[2]}`);
      }
    });

    it('reaches Redis by Direct VPC egress or by the connector, never both, and clears an earlier connector', () => {
      const direct = runs.get('push, direct VPC egress, fresh project')!.filter(({ args }) => args.includes('--with-vpc') || args.some((a) => a.startsWith('--network=')));
      assert.ok(direct.length >= 7, 'event functions, webhook, conversationName and relay use the VPC');
      for (const { args } of direct) {
        assert.ok(args.includes('--network=default') && args.includes('--subnet=default'));
        assert.ok(!args.some((a) => a.startsWith('--vpc-connector')) && !args.includes('--clear-vpc-connector'));
      }
      for (const { args } of runs.get('push, connector')!.filter(({ args }) => args.some((a) => a.startsWith('--vpc-connector=')))) {
        assert.ok(!args.some((a) => a.startsWith('--network=')) && !args.some((a) => a.startsWith('--direct-vpc-egress')));
      }
      const switching = runs.get('push, direct VPC egress, project that used a connector')!.filter(({ args }) => args[1] === 'deploy' && args.some((a) => a.startsWith('--network=')));
      for (const { args } of switching) assert.ok(args.includes('--clear-vpc-connector'), `${args.slice(0, 3).join(' ')} clears the connector`);
    });

    it('creates push subscriptions that never expire, dead-letter after 10 attempts, and let the Pub/Sub agent count them', () => {
      const recorded = runs.get('push, direct VPC egress, fresh project')!;
      const creates = recorded.filter(({ args }) => args.slice(0, 3).join(' ') === 'pubsub subscriptions create');
      assert.equal(creates.length, 4);
      for (const { args } of creates) {
        for (const flag of ['--expiration-period=never', '--dead-letter-topic=projects/test-project/topics/aa-dead-letter-topic', '--max-delivery-attempts=10', '--min-retry-delay=10s']) assert.ok(args.includes(flag), `${args[3]} has ${flag}`);
        const grant = recorded.find(({ args: other }) => other.slice(0, 4).join(' ') === `pubsub subscriptions add-iam-policy-binding ${args[3]}`);
        assert.ok(grant, `the Pub/Sub service agent is granted on ${args[3]}`);
        assert.ok(grant.args.includes('--member=serviceAccount:service-123456789@gcp-sa-pubsub.iam.gserviceaccount.com') && grant.args.includes('--role=roles/pubsub.subscriber'));
      }
    });

    it('grants the trigger account the invoker role in both trigger modes', () => {
      for (const mode of ['push, direct VPC egress, fresh project', 'topic trigger']) {
        const grants = runs.get(mode)!.filter(({ args }) => args[1] === 'add-invoker-policy-binding');
        assert.equal(grants.length, 4, mode);
        for (const { args } of grants) assert.ok(args.includes('--member=serviceAccount:aa-pubsub-push@test-project.iam.gserviceaccount.com'));
      }
    });

    it('deploys the relay with at most 1,000 sockets per instance, an hour per socket, and HTTP/2 end to end off', () => {
      const relay = runs.get('push, direct VPC egress, fresh project')!.find(({ args }) => args[0] === 'run' && args[1] === 'deploy')!;
      for (const flag of ['--concurrency=1000', '--timeout=3600', '--no-use-http2', '--session-affinity', '--max-instances=10']) assert.ok(relay.args.includes(flag), flag);
    });

    it('builds on Node images whose version is supported, as does the Dockerfile', () => {
      const { build } = readCloudBuild();
      const problems = build.steps.flatMap((step) => nodeImageProblems(step.name, `cloudbuild.yaml ${step.id}`));
      problems.push(...stagesOf(parseDockerfile(join(ROOT, 'Dockerfile'))).flatMap((stage) => nodeImageProblems(stage.image, 'Dockerfile')));
      assert.deepEqual(problems, []);
      assert.ok(build.steps.some((step) => step.name.startsWith('node:24')));
    });
  });

  describe('the written commands (docs/deploy.md, docs/operations.md, README.md)', () => {
    // The scripts build their commands from arrays: they are checked as they run, in every mode, above.
    it('contain gcloud commands the rules accept', () => {
      const calls = DOCS.flatMap(gcloudCallsIn);
      assert.ok(calls.length >= 40, `${calls.length} gcloud commands found`);
      assert.deepEqual(problemsOf(calls), []);
    });

    it('name no decommissioned runtime anywhere', () => {
      for (const file of [...DOCS, 'cloudbuild.yaml', 'Dockerfile', ...readdirSync(join(ROOT, 'scripts')).map((f) => `scripts/${f}`)]) {
        const text = readFileSync(join(ROOT, file), 'utf8');
        for (const match of text.matchAll(/--runtime[= ]+(nodejs\d+)|_RUNTIME: *(nodejs\d+)/g)) {
          assert.ok(runtimeDeployable(match[1] ?? match[2], new Date()), `${file} deploys on ${match[1] ?? match[2]}`);
        }
      }
    });

    it('the guide submits the build with its substitutions quoted and as the build account', () => {
      const submits = gcloudCallsIn('docs/deploy.md').filter(({ args }) => args[0] === 'builds' && args[1] === 'submit');
      assert.ok(submits.length >= 1);
      for (const call of submits) {
        const substitutions = call.raw!.find((word) => word.text.startsWith('--substitutions='))!;
        assert.match(substitutions.raw, /^--substitutions="\^~\^/);
        assert.match(substitutions.text, /_AUTH_ENV=[^~]*\|/, 'the provider settings keep their | separators');
        assert.ok(call.args.some((arg) => /^--service-account=projects\/.+\/serviceAccounts\/aa-build@/.test(arg)));
      }
    });

    it('the guide cites the reference pages for what cannot be checked here', () => {
      const guide = readFileSync(join(ROOT, 'docs', 'deploy.md'), 'utf8');
      for (const page of [
        'cloud.google.com/functions/docs/runtime-support',
        'cloud.google.com/functions/docs/running/direct-vpc',
        'cloud.google.com/functions/docs/securing/build-custom-sa',
        'cloud.google.com/functions/docs/configuring/concurrency',
        'cloud.google.com/run/docs/about-concurrency',
        'cloud.google.com/run/docs/triggering/websockets',
        'cloud.google.com/run/docs/securing/ingress',
        'cloud.google.com/pubsub/docs/handling-failures',
        'cloud.google.com/sdk/gcloud/reference/topic/escaping',
        'cloud.google.com/memorystore/docs/redis/connect-redis-instance-functions',
      ]) {
        assert.ok(guide.includes(page), `docs/deploy.md cites ${page}`);
      }
    });
  });
});
