// Lint exists for one reason here: the dependency direction of ARCHITECTURE.md, enforced.
// apps → compute libs → (codec, protocol); browser code never reaches node-only libs.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', 'runs/**', 'test-results/**', '.nx/**'] },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    plugins: { '@nx': nx, '@typescript-eslint': tseslint.plugin },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          depConstraints: [
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:browser', onlyDependOnLibsWithTags: ['scope:shared', 'scope:browser'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:app'] },
          ],
        },
      ],
    },
  },
  {
    // Compute libraries must stay free of transport; only *.node.ts files may touch node:*.
    files: ['libs/{protocol,codec,models,data,trainer,backends}/src/**/*.ts'],
    ignores: ['**/*.node.ts', '**/*.spec.ts', 'libs/backends/src/node.ts', 'libs/backends/src/node/**', 'libs/data/src/node.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['node:*', 'socket.io', 'socket.io-client', 'comlink', 'fs', 'path', 'child_process'], message: 'compute libs import no transport and no node built-ins (use a *.node.ts file)' }] },
      ],
    },
  },
  {
    // Benchmarks are tooling run by hand; they may borrow the e2e harness (chromium, tabs).
    files: ['**/bench/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
];
