/**
 * What a deploy uploads and installs, reproduced locally: the files a `.gcloudignore` lets through, copied to a
 * fresh directory, then `npm ci` there as the Node.js buildpack (or the Dockerfile's `RUN`) runs it. The npm
 * registry is used through the local cache first (`--prefer-offline`), so a warm cache needs no network.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Whether `.gcloudignore` rules (gitignore syntax: `#` comments, `!` re-includes, last match wins, a trailing
 * `/` for directories) ignore a path relative to the upload root. Covers the patterns this project uses.
 */
export function ignoredBy(rules: readonly string[], path: string, isDir: boolean): boolean {
  let ignored = false;
  for (const raw of rules) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    let pattern = negate ? line.slice(1) : line;
    const dirOnly = pattern.endsWith('/');
    if (dirOnly) pattern = pattern.slice(0, -1);
    if (dirOnly && !isDir) continue;
    const anchored = pattern.includes('/');
    const source = pattern.replace(/^\//, '').replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
    const regex = new RegExp(anchored ? `^${source}$` : `(^|/)${source}$`);
    if (regex.test(path)) ignored = !negate;
  }
  return ignored;
}

/** Copies into `dest` exactly the files under `src` that its `.gcloudignore` uploads; returns their paths. */
export function copyUploaded(src: string, dest: string): string[] {
  const rules = readFileSync(join(src, '.gcloudignore'), 'utf8').split('\n');
  const copied: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      const rel = relative(src, full);
      const isDir = statSync(full).isDirectory();
      if (ignoredBy(rules, rel, isDir)) continue;
      if (isDir) walk(full);
      else {
        mkdirSync(dirname(join(dest, rel)), { recursive: true });
        copyFileSync(full, join(dest, rel));
        copied.push(rel);
      }
    }
  };
  walk(src);
  return copied.sort();
}

/**
 * `npm ci --omit=dev` (or, with `command: 'install'`, `npm install --omit=dev`) in `dir` against its lockfile;
 * resolves with npm's output, rejects with it on failure.
 */
export async function npmInstallProduction(dir: string, command: 'ci' | 'install' = 'ci', timeoutMs = 180_000): Promise<string> {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  try {
    const { stdout, stderr } = await run(npm, [command, '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: dir,
      timeout: timeoutMs,
      env: { ...process.env, NODE_ENV: 'production', npm_config_update_notifier: 'false' },
    });
    return stdout + stderr;
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`npm ${command} in ${dir} failed: ${failure.message}\n${failure.stdout ?? ''}${failure.stderr ?? ''}`.slice(0, 4000));
  }
}

/** Runs `task` over `items`, at most `limit` at a time (installs share two cores with everything else). */
export async function inBatches<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
