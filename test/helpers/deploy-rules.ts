/**
 * What a gcloud command in this project's deploy files must and must not say, as checks over its words. Each
 * rule states the Google behaviour it guards against and the reference page that documents it (nothing here
 * reaches Google, so the rules are what the pages say, checked against every command we ship).
 */
import type { Word } from './shell-commands';

export interface GcloudCall {
  /** Words after `gcloud`, quotes removed. */
  readonly args: readonly string[];
  /** The same words as written, when the command comes from shell text (absent for argv recorded at run time). */
  readonly raw?: readonly Word[];
  /** The control operator after the command, when it comes from shell text. */
  readonly next?: string;
  /** Where it comes from, for messages (`docs/deploy.md:120`, `cloudbuild.yaml deploy-register`). */
  readonly where: string;
}

/**
 * Runtime decommission dates, https://cloud.google.com/functions/docs/runtime-support (Node.js table): after
 * this date "you can no longer create new functions or update existing functions using the runtime".
 */
export const NODE_RUNTIME_DECOMMISSION: Record<string, string> = {
  nodejs18: '2025-10-30',
  nodejs20: '2026-10-30',
  nodejs22: '2027-10-31',
  nodejs24: '2028-10-31',
};

/** Whether a Cloud Run functions runtime id can still be deployed on `day` (unknown ids cannot). */
export function runtimeDeployable(runtime: string, day: Date): boolean {
  const decommission = NODE_RUNTIME_DECOMMISSION[runtime];
  return decommission !== undefined && day.toISOString().slice(0, 10) < decommission;
}

function flag(args: readonly string[], name: string): string | undefined {
  const found = args.find((arg) => arg === name || arg.startsWith(`${name}=`));
  return found === undefined ? undefined : found === name ? '' : found.slice(name.length + 1);
}

const startsWith = (args: readonly string[], ...prefix: string[]): boolean => prefix.every((word, i) => args[i] === word);

/** Every problem with one gcloud command; empty when it is fine. */
export function gcloudProblems(call: GcloudCall, day = new Date()): string[] {
  const { args, where } = call;
  const problems: string[] = [];
  const problem = (text: string): void => void problems.push(`${where}: gcloud ${args.slice(0, 3).join(' ')}: ${text}`);

  // A pipe after gcloud hides its exit status, and an unquoted `|` inside an argument ends the command there.
  if (call.next === '|') problem('is piped into another command: its exit status is lost (and an unquoted | splits its arguments)');

  if (startsWith(args, 'functions', 'deploy')) {
    const runtime = flag(args, '--runtime');
    if (runtime !== undefined && !runtime.startsWith('$') && !runtimeDeployable(runtime, day)) problem(`runtime ${runtime} is decommissioned or unknown`);
    if (runtime === undefined) problem('names no --runtime');
    // Concurrency above 1 needs at least one vCPU; without --cpu a 256 MiB function gets 0.167 vCPU and one
    // request at a time. https://cloud.google.com/functions/docs/configuring/concurrency
    const cpu = flag(args, '--cpu');
    const concurrency = flag(args, '--concurrency');
    if (cpu === undefined || concurrency === undefined) problem('deploys without both --cpu and --concurrency');
    else if (!cpu.startsWith('$') && Number(cpu) < 1 && Number(concurrency) > 1) problem('--concurrency above 1 needs --cpu of at least 1');
    if (flag(args, '--memory') === undefined) problem('deploys without --memory (a memory change alone recomputes the vCPU)');
    if (flag(args, '--build-service-account') === undefined) problem('builds without --build-service-account (a new project\'s default build account may lack roles/cloudbuild.builds.builder)');
  }
  if (startsWith(args, 'functions', 'deploy') || startsWith(args, 'run', 'deploy')) {
    // Direct VPC egress and a Serverless VPC Access connector exclude each other.
    // https://cloud.google.com/functions/docs/running/direct-vpc
    const direct = flag(args, '--network') !== undefined || flag(args, '--direct-vpc-egress') !== undefined;
    if (direct && flag(args, '--vpc-connector') !== undefined) problem('sets both Direct VPC egress and --vpc-connector');
    if (direct && flag(args, '--egress-settings') !== undefined) problem('--egress-settings belongs to connectors; Direct VPC egress uses --direct-vpc-egress');
  }
  if (startsWith(args, 'run', 'deploy') && flag(args, '--use-http2') !== undefined) problem('HTTP/2 end to end breaks WebSockets (https://cloud.google.com/run/docs/triggering/websockets)');
  if (startsWith(args, 'pubsub', 'subscriptions', 'create') && flag(args, '--expiration-period') !== 'never') {
    // https://cloud.google.com/sdk/gcloud/reference/pubsub/subscriptions/create (--expiration-period, default 31 days)
    problem('creates a subscription without --expiration-period=never: idle for 31 days, it is deleted');
  }
  if (startsWith(args, 'pubsub', 'subscriptions', 'pull') && args.some((arg) => arg.startsWith('--auto-ack='))) problem('--auto-ack is a switch: leave it out to keep messages');
  if (startsWith(args, 'logging', 'metrics', 'create') && flag(args, '--config-from-file') !== undefined && (flag(args, '--log-filter') !== undefined || flag(args, '--description') !== undefined)) {
    // https://cloud.google.com/sdk/gcloud/reference/logging/metrics/create: (--config-from-file | --description --log-filter)
    problem('takes --config-from-file or --description/--log-filter, not both');
  }
  // A project policy with conditional bindings makes add-iam-policy-binding prompt (and fail unattended) unless
  // the binding's condition is given. https://cloud.google.com/sdk/gcloud/reference/projects/add-iam-policy-binding
  if (startsWith(args, 'projects', 'add-iam-policy-binding') && flag(args, '--condition') === undefined) problem('needs --condition=None (or a condition)');
  if (startsWith(args, 'redis', 'instances', 'create') && flag(args, '--connect-mode') === 'private-service-access') {
    problem('private services access needs an allocated range and `gcloud services vpc-peerings connect` first; the guide uses direct peering');
  }
  // List and dictionary flags with an alternate delimiter (`^~^…`, `^|^…`) carry shell metacharacters: the
  // shell must receive them quoted. https://cloud.google.com/sdk/gcloud/reference/topic/escaping
  for (const word of call.raw ?? []) {
    if (/^--(substitutions|set-env-vars|update-env-vars|set-build-env-vars)=/.test(word.text) && (word.text.includes('^') || word.text.includes('|'))) {
      if (!/^(['"])--|^--[a-z-]+=(['"])/.test(word.raw)) problem(`${word.raw.slice(0, 40)}… must be quoted: the shell reads its | as a pipe`);
    }
  }
  return problems;
}

/** Whether a `node:<tag>` image runs a Node major whose functions runtime is still deployable on `day`. */
export function nodeImageProblems(image: string, where: string, day = new Date()): string[] {
  const match = /^node:(\d+)/.exec(image);
  if (!match) return [];
  return runtimeDeployable(`nodejs${match[1]}`, day) ? [] : [`${where}: image ${image} runs a Node version past its support`];
}
