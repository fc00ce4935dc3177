// ESLint over the whole tree: typescript-eslint's type-checked rules for TypeScript, and
// eslint-plugin-svelte for components. Formatting is Prettier's job, not ESLint's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'out/',
      'screenshots/',
      'shared/linalg/wasm/src/',
      'shared/linalg/wasm/kernels.generated.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  ...svelte.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname, extraFileExtensions: ['.svelte'] },
    },
    rules: {
      // node:test's test() and suite() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] },
          ],
        },
      ],
      // Command handlers and executors are async by contract even when one has nothing to await.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The training core runs in workers, the Lab and the browser: no Node or DOM globals, and
    // every random draw from a seeded generator (shared/rng.ts).
    files: ['shared/**/*.ts'],
    ignores: ['**/*.test.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-globals': [
        'error',
        ...['process', 'Buffer', 'require', '__dirname', '__filename', 'global', 'setImmediate'].map((name) => ({
          name,
          message: 'shared/ is pure TypeScript: no Node globals.',
        })),
        ...['window', 'document', 'localStorage', 'navigator', 'location'].map((name) => ({
          name,
          message: 'shared/ is pure TypeScript: no DOM globals.',
        })),
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Draw from a seeded Rng (shared/rng.ts), never Math.random.' },
        { object: 'crypto', property: 'getRandomValues', message: 'Draw from a seeded Rng (shared/rng.ts).' },
        // Engines differ in the last bit of these (V8 in Node and in Chromium do): results would
        // depend on where they were computed. shared/math has the same bits everywhere.
        ...['exp', 'expm1', 'log', 'log1p', 'log2', 'log10', 'pow', 'sin', 'cos', 'tan', 'tanh', 'sinh', 'cosh']
          .concat(['asin', 'acos', 'atan', 'atan2', 'asinh', 'acosh', 'atanh', 'cbrt', 'hypot'])
          .map((property) => ({
            object: 'Math',
            property,
            message: `Math.${property} differs between JavaScript engines; use shared/math (exp, log, sin, pow, …).`,
          })),
      ],
    },
  },
  {
    // Everything else may draw randomness for ids and tokens, but never for numbers in results.
    files: ['app/**/*.ts', 'worker/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Use a seeded Rng for results, node:crypto for tokens.' },
      ],
    },
  },
  {
    // The renderer runs in the browser (and its workers); its components are TypeScript.
    files: ['renderer/**/*.ts', 'renderer/**/*.svelte'],
    ignores: ['**/*.test.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    // ESLint's TypeScript cannot see the props of imported components (they are .svelte
    // files), so values passed through them look like `any` here; svelte-check, which runs in
    // npm test with --fail-on-warnings, type-checks the templates with the real types.
    files: ['**/*.svelte'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Tests read JSON from child processes and files; asserting its shape is the test's job.
    files: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      // A test makes its temporary folders inside the test (or its before hook) and removes
      // them after: a folder made at import time is made even when no test of the file runs.
      'no-restricted-syntax': [
        'error',
        ...['Identifier', 'MemberExpression > Identifier.property'].map((callee) => ({
          selector: `CallExpression:not(:function CallExpression) > ${callee}[name=/^mkdtemp/]`,
          message: 'Make temporary folders inside a test or a before hook, and remove them in t.after or after.',
        })),
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
  },
);
