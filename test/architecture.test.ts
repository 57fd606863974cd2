/**
 * The layering is kept by a tool: `npm run arch` (dependency-cruiser with .dependency-cruiser.cjs, part of
 * `npm test`) passes on this tree and fails on a tree that breaks a rule, a cycle of type-only imports
 * included. Only the composition roots (src/app/), functions/ and the CLI tools read `process.env`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { ROOT } from './helpers/units';

const CLI = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

async function cruise(cwd: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [CLI, 'src', 'functions', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}

function write(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

describe('architecture rules', function () {
  this.timeout(60_000);
  let tree: string;

  before(() => {
    tree = mkdtempSync(join(tmpdir(), 'layering-'));
    copyFileSync(join(ROOT, '.dependency-cruiser.cjs'), join(tree, '.dependency-cruiser.cjs'));
    write(tree, {
      'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'commonjs', moduleResolution: 'node10', strict: true } }),
      // A cycle made only of type imports.
      'src/relay/a.ts': "import type { B } from './b';\nexport interface A { b?: B }\n",
      'src/relay/b.ts': "import type { A } from './a';\nexport interface B { a?: A }\n",
      // A feature reaching up into the composition root, and the broker into the producer.
      'src/app/wiring.ts': 'export const wiring = 1;\n',
      'src/proxy/handler.ts': "import { wiring } from '../app/wiring';\nexport const handler = wiring;\n",
      'src/events/record.ts': 'export interface Record { id: string }\n',
      'src/broker/broker.ts': "import type { Record } from '../events/record';\nexport type Stored = Record;\n",
      // The ground floor importing a feature.
      'src/log.ts': "import { handler } from './proxy/handler';\nexport const log = handler;\n",
      'functions/entry.ts': "import { wiring } from '../src/app/wiring';\nexport default wiring;\n",
    });
  });
  after(() => rmSync(tree, { recursive: true, force: true }));

  it('passes on this tree', async () => {
    const { code, output } = await cruise(ROOT);
    assert.equal(code, 0, output);
    assert.match(output, /no dependency violations found/);
  });

  it('fails on a type-only cycle, an import of src/app/, the broker importing events, the ground floor importing a feature', async () => {
    const { code, output } = await cruise(tree);
    assert.notEqual(code, 0, output);
    assert.match(output, /error no-cycles: src\/relay\/(a|b)\.ts/);
    assert.match(output, /error nothing-imports-app: src\/proxy\/handler\.ts → src\/app\/wiring\.ts/);
    assert.match(output, /error broker-owns-its-currency: src\/broker\/broker\.ts → src\/events\/record\.ts/);
    assert.match(output, /error ground-floor-imports-no-feature: src\/log\.ts → src\/proxy\/handler\.ts/);
    assert.doesNotMatch(output, /functions\/entry\.ts/, 'an entry point may import its wiring');
  });

  it('only src/app/, functions/ and the CLI tools read process.env', () => {
    const readers = sources(join(ROOT, 'src'))
      .filter((file) => {
        // Comments may speak of the environment; code may not read it.
        const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
        return /\bprocess\.env\b/.test(code);
      })
      .map((file) => relative(ROOT, file));
    assert.deepEqual(readers.filter((file) => !/^src\/(app|tools)\//.test(file)), []);
    assert.ok(readers.includes('src/app/runtime.ts'), 'the deployed functions read it in src/app/');
  });
});
