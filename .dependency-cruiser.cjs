/**
 * The layering of docs/architecture (README "Where things live"), kept by `npm run arch` (part of
 * `npm test`): imports run downward only, from functions/ to src/app/ to the features to the ground floor,
 * and no import cycle exists, type-only imports included.
 */
const GROUND = '^src/(config|http|auth|redis|metrics)/|^src/(log|errors|conversation)\\.ts$|^src/broker/event\\.ts$';
const FEATURES = '^src/(access|broker|client|conversation-name|events|proxy|register|relay|samples|webhook)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'An import cycle (type-only imports count): split the shared part into a module both import.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'nothing-imports-app',
      severity: 'error',
      comment:
        'src/app/ holds the composition roots; nothing below it imports it (the CLI tools beside it may). The exception: the webhook API face ' +
        '(src/webhook/index.ts, src/webhook/fulfillment.ts) hands an intent-map author the deployed function.',
      from: { path: '^src/', pathNot: ['^src/app/', '^src/tools/', '^src/webhook/(index|fulfillment)\\.ts$'] },
      to: { path: '^src/app/' },
    },
    {
      name: 'src-never-imports-functions',
      severity: 'error',
      comment: 'functions/ holds the entry points; src/ never reaches up into them.',
      from: { path: '^src/' },
      to: { path: '^functions/' },
    },
    {
      name: 'functions-import-only-app',
      severity: 'error',
      comment: 'An entry point is `http(name, handler)` over its wiring in src/app/ (the example intent map too).',
      from: { path: '^functions/' },
      to: { path: '^src/', pathNot: ['^src/app/', '^src/webhook/'] },
    },
    {
      name: 'ground-floor-imports-no-feature',
      severity: 'error',
      comment: 'The ground floor (config, logging, errors, auth helpers, the HTTP edge, the event record) imports nothing above it.',
      from: { path: GROUND },
      to: { path: FEATURES, pathNot: '^src/broker/event\\.ts$' },
    },
    {
      name: 'broker-owns-its-currency',
      severity: 'error',
      comment: 'The broker carries the event record; it imports nothing from the producer (src/events/).',
      from: { path: '^src/broker/' },
      to: { path: '^src/events/' },
    },
    {
      name: 'features-reach-no-tools',
      severity: 'error',
      comment: 'The command-line tools sit beside src/app/: nothing else imports them.',
      from: { path: '^src/', pathNot: '^src/tools/' },
      to: { path: '^src/tools/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    // Type-only imports are dependencies too: a cycle through `import type` still couples two modules.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['cjs', 'es6'],
  },
};
