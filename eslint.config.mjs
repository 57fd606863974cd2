// Lint rules: typescript-eslint's recommended type-aware set, plus a few habits the project keeps.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // test/fulfillment-samples: Google's inline-editor samples, kept as published (only their require lines changed).
  { ignores: ['dist/**', 'node_modules/**', 'dist-*/**', 'build/**', 'public/vendor/**', '*.mjs', '*.js', '*.cjs', 'test/fulfillment-samples/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // Plain CommonJS helpers that mocha loads as they are (the test reporter).
    files: ['test/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Example modules an integrator copies (docs/examples/): plain CommonJS for Node, as deployed.
    files: ['docs/examples/**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: Object.fromEntries(['exports', 'module', 'require', 'process', 'fetch', 'AbortSignal'].map((name) => [name, 'readonly'])),
    },
    rules: { eqeqeq: ['error', 'always'] },
  },
  {
    // The demo desktop's hand-written browser modules (served as they are, no build step).
    files: ['public/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(
        ['window', 'document', 'location', 'WebSocket', 'fetch', 'crypto', 'atob', 'URL', 'setTimeout', 'clearTimeout'].map((name) => [name, 'readonly']),
      ),
    },
    rules: { eqeqeq: ['error', 'always'], 'no-console': 'error' },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'src/tools/**/*.ts'],
    rules: { 'no-console': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
