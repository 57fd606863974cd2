// @ts-check
/**
 * `npm run bundle`: one deployable unit per Cloud Functions entry point, from the `tsc` output in `dist/`.
 *
 *   node scripts/bundle.mjs [--dist dist] [--out build/functions] [--only register,newMessageEvent]
 *
 * Each unit is `<out>/<entryPoint>/` holding `index.js` (an esbuild bundle of `dist/functions/<file>.js` and
 * everything it reaches in `src/` and in small packages), `package.json` (`main: index.js`, and as
 * dependencies, pinned to the versions installed here, only the packages left outside the bundle that this
 * entry point references) and a `.gcloudignore` that uploads only those two. `<out>/manifest.json` lists the units.
 *
 * Left outside every bundle (see docs/deploy.md, "Deployable units"):
 * - `@google-cloud/functions-framework`: the runtime loads it from the unit's node_modules and the entry file
 *   must register its handler in that very instance;
 * - `@google-cloud/*` client libraries and `google-auth-library`: large, loaded lazily (dynamic `import()`)
 *   only on the paths that need them, and google-gax reads `.proto`/JSON files from its package at run time.
 */
import { existsSync, readFileSync, readdirSync, mkdirSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import process from 'node:process';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';

/** Package patterns kept out of the bundles (installed by Cloud Build from the unit's package.json). */
export const EXTERNAL = ['@google-cloud/*', 'google-auth-library'];

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Entry points the code registers: `http('<name>', …)` in `functions/*.ts`, with the file that registers it.
 * @param {string} root
 * @returns {Array<{ name: string, file: string }>}
 */
export function discoverEntryPoints(root = ROOT) {
  const dir = join(root, 'functions');
  const found = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts')).sort()) {
    for (const match of readFileSync(join(dir, file), 'utf8').matchAll(/\bhttp\(\s*['"]([A-Za-z0-9_]+)['"]/g)) {
      found.push({ name: match[1], file: file.replace(/\.ts$/, '') });
    }
  }
  return found;
}

/**
 * The bare package name of an import path (`@scope/pkg/sub` → `@scope/pkg`), or undefined for built-ins.
 * @param {string} path
 */
function packageOf(path) {
  if (path.startsWith('node:') || path.startsWith('.') || path.startsWith('/') || builtinModules.includes(path.split('/')[0])) return undefined;
  const parts = path.split('/');
  return path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** @param {string} root @param {string} name */
function installedVersion(root, name) {
  return /** @type {{ version: string }} */ (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8'))).version;
}

/**
 * Bundles every entry point (or those in `only`) into `<out>/<name>/`.
 * @param {{ root?: string, dist?: string, out?: string, only?: string[] }} [options]
 * @returns {Promise<Array<{ name: string, dir: string, bytes: number, dependencies: Record<string, string> }>>}
 */
export async function bundleFunctions(options = {}) {
  const root = options.root ?? ROOT;
  const dist = resolve(root, options.dist ?? 'dist');
  const out = resolve(root, options.out ?? join('build', 'functions'));
  const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const entries = discoverEntryPoints(root).filter((entry) => !options.only || options.only.includes(entry.name));
  const units = [];
  for (const entry of entries) {
    const dir = join(out, entry.name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const result = await esbuild.build({
      entryPoints: [join(dist, 'functions', `${entry.file}.js`)],
      outfile: join(dir, 'index.js'),
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      external: EXTERNAL,
      metafile: true,
      legalComments: 'eof',
      logLevel: 'error',
    });
    const dependencies = /** @type {Record<string, string>} */ ({});
    for (const output of Object.values(result.metafile.outputs)) {
      for (const imported of output.imports) {
        const name = imported.external ? packageOf(imported.path) : undefined;
        if (!name) continue;
        // A package that is neither declared nor installed is an optional one a bundled library imports
        // inside try/catch (e.g. @redis/client's `@node-rs/xxhash`): it stays absent, as it is here.
        if (!rootPackage.dependencies?.[name] && !existsSync(join(root, 'node_modules', name))) continue;
        if (!rootPackage.dependencies?.[name]) throw new Error(`${entry.name} needs ${name}, which is not a production dependency`);
        dependencies[name] = installedVersion(root, name);
      }
    }
    const sorted = Object.fromEntries(Object.entries(dependencies).sort(([a], [b]) => a.localeCompare(b)));
    const unitPackage = {
      name: `${rootPackage.name}-${entry.name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
      version: rootPackage.version,
      private: true,
      description: `Cloud Functions unit for the entry point ${entry.name} (generated by scripts/bundle.mjs; do not edit)`,
      license: rootPackage.license,
      main: 'index.js',
      engines: rootPackage.engines,
      dependencies: sorted,
    };
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify(unitPackage, null, 2)}\n`);
    // `gcloud functions deploy --source=<unit>` uploads the bundle and its package.json, nothing else.
    writeFileSync(join(dir, '.gcloudignore'), '# generated by scripts/bundle.mjs: upload only the bundle and its package.json\n*\n!index.js\n!package.json\n');
    units.push({ name: entry.name, dir, bytes: statSync(join(dir, 'index.js')).size, dependencies: sorted });
  }
  writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(units.map((u) => ({ ...u, dir: u.name })), null, 2)}\n`);
  return units;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { dist: { type: 'string' }, out: { type: 'string' }, only: { type: 'string' } } });
  const units = await bundleFunctions({ dist: values.dist, out: values.out, only: values.only?.split(',') });
  for (const unit of units) {
    process.stdout.write(`${unit.name.padEnd(40)} ${String(unit.bytes).padStart(8)} bytes  deps: ${Object.keys(unit.dependencies).join(', ') || '-'}\n`);
  }
}
