// @ts-check
/**
 * Builds the desktop client (src/client/) as one ES module for browsers: `dist/src/client/browser/relay-client.js`,
 * which the relay and the local stack serve at `/relay-client.js`. Part of `npm run build` (after `tsc`, which
 * compiles the same sources to CommonJS for Node) and of the Dockerfile's build stage. Not minified, so a
 * desktop developer can read what runs; its header names the version (`VERSION` in src/client/relay-client.ts).
 *
 *   node scripts/build-client.mjs [--out dist/src/client/browser/relay-client.js]
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import process from 'node:process';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = join(ROOT, 'src', 'client', 'relay-client.ts');

/** The client's version, as its source declares it. */
export function clientVersion(source = readFileSync(ENTRY, 'utf8')) {
  const match = /export const VERSION = '([^']+)'/.exec(source);
  if (!match) throw new Error(`no VERSION in ${ENTRY}`);
  return match[1];
}

/**
 * Bundles the client into `outfile`.
 * @param {{ outfile?: string }} [options]
 */
export async function buildClient(options = {}) {
  const outfile = resolve(ROOT, options.outfile ?? join('dist', 'src', 'client', 'browser', 'relay-client.js'));
  const version = clientVersion();
  await esbuild.build({
    entryPoints: [ENTRY],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    // Browsers of the last few years (WebSocket, classes, `??`); newer syntax in the source is lowered.
    target: 'es2020',
    banner: {
      js: `/*! relay-client.js ${version} · native protocol aa-relay.v1 · Apache-2.0 · docs/client.md */`,
    },
    legalComments: 'inline',
    logLevel: 'error',
  });
  return { outfile, version };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  await buildClient({ outfile: values.out });
}
