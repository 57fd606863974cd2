/**
 * cloudbuild.yaml's deploy steps, carried out here with a stand-in `gcloud` on PATH that records its argv
 * (nothing here reaches Google). Substitutions are resolved as Cloud Build resolves them; each Cloud SDK step
 * runs as written (its `bash scripts/….sh` with the build's environment, or `gcloud` itself), so the recorded
 * commands are exactly what the build would send. The stand-in answers `describe` as a fresh project would
 * (nothing exists until deployed), or, with `existing`, as a project whose services use a VPC connector.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from './units';

export interface Step {
  id: string;
  name: string;
  entrypoint?: string;
  args?: string[];
  env?: string[];
  waitFor?: string[];
}
export interface CloudBuild {
  substitutions: Record<string, string>;
  options: { env: string[] };
  steps: Step[];
  images?: string[];
}

export const BUILT_INS = { PROJECT_ID: 'test-project', PROJECT_NUMBER: '123456789', BUILD_ID: 'build-1' };

export function readCloudBuild(): { text: string; build: CloudBuild } {
  const text = readFileSync(join(ROOT, 'cloudbuild.yaml'), 'utf8');
  return { text, build: parse(text) as CloudBuild };
}

/** Cloud Build's substitution of `$VAR` / `${VAR}` (built-ins and `_USER` substitutions, with overrides). */
export function substitute(value: string, substitutions: Record<string, string>): string {
  const values: Record<string, string> = { ...BUILT_INS, ...substitutions };
  return value.replace(/\$\{([A-Z_][A-Z0-9_]*)\}|\$([A-Z_][A-Z0-9_]*)/g, (whole, braced: string, bare: string) => values[braced ?? bare] ?? whole);
}

const STUB = `#!/usr/bin/env node
const fs = require('fs');
const path = require('path');
const args = process.argv.slice(2);
fs.appendFileSync(process.env.GCLOUD_LOG, JSON.stringify(args) + '\\n');
const state = process.env.GCLOUD_STATE;
const existing = process.env.GCLOUD_EXISTING === '1';
const has = (key) => existing || fs.existsSync(path.join(state, key));
const format = (args.find((a) => a.startsWith('--format=')) || '').slice('--format='.length);
if (args[0] === 'functions' && args[1] === 'deploy') fs.writeFileSync(path.join(state, 'function-' + args[2]), '');
else if (args[0] === 'functions' && args[1] === 'describe') {
  if (!has('function-' + args[2])) process.exit(1);
  if (format.includes('serviceConfig.uri')) console.log('https://' + args[2].toLowerCase() + '-abc123-uc.a.run.app');
  else if (format.includes('vpcConnector')) console.log(existing ? 'projects/p/locations/r/connectors/aa-connector' : '');
} else if (args[0] === 'run' && args[1] === 'services' && args[2] === 'describe') {
  if (!existing) process.exit(1);
  console.log('aa-connector');
} else if (args[0] === 'pubsub' && args[1] === 'subscriptions' && args[2] === 'describe') {
  if (!has('sub-' + args[3])) process.exit(1);
} else if (args[0] === 'pubsub' && args[1] === 'subscriptions' && args[2] === 'create') fs.writeFileSync(path.join(state, 'sub-' + args[3]), '');
`;

export interface Recorded {
  readonly step: string;
  readonly args: string[];
}

/**
 * Runs every Cloud SDK step of cloudbuild.yaml with the stand-in gcloud; returns each gcloud argv in order.
 * Throws with the step's stderr if a step fails.
 */
export function runDeploySteps(overrides: Record<string, string> = {}, existing = false): Recorded[] {
  const { build } = readCloudBuild();
  const substitutions = { ...build.substitutions, ...overrides };
  const dir = mkdtempSync(join(tmpdir(), 'aa-gcloud-'));
  try {
    const bin = join(dir, 'bin');
    const state = join(dir, 'state');
    mkdirSync(bin);
    mkdirSync(state);
    writeFileSync(join(bin, 'gcloud'), STUB);
    chmodSync(join(bin, 'gcloud'), 0o755);
    const recorded: Recorded[] = [];
    for (const step of build.steps.filter((candidate) => candidate.name.includes('google-cloud-cli'))) {
      const log = join(dir, `${step.id}.log`);
      writeFileSync(log, '');
      const env: Record<string, string> = { PATH: `${bin}:${process.env.PATH ?? ''}`, GCLOUD_LOG: log, GCLOUD_STATE: state, GCLOUD_EXISTING: existing ? '1' : '0' };
      for (const pair of [...build.options.env, ...(step.env ?? [])]) {
        const resolved = substitute(pair, substitutions);
        env[resolved.slice(0, resolved.indexOf('='))] = resolved.slice(resolved.indexOf('=') + 1);
      }
      const args = (step.args ?? []).map((arg) => substitute(arg, substitutions));
      const result = spawnSync(step.entrypoint ?? 'gcloud', args, { cwd: ROOT, env, encoding: 'utf8', timeout: 30_000 });
      if (result.status !== 0) throw new Error(`step ${step.id} failed (${result.status}): ${result.stderr}`);
      for (const line of readFileSync(log, 'utf8').split('\n').filter(Boolean)) recorded.push({ step: step.id, args: JSON.parse(line) as string[] });
    }
    return recorded;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
