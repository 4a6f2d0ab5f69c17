// The vitest settings every package shares: the workspace's `source` condition (tests run the
// TypeScript sources, no build step), real PostgreSQL through @tessera/testing's global setup,
// a JSON report for the root total line, and per-package coverage with a line threshold.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { defaultServerConditions } from 'vite';

export interface PresetOptions {
  /** Minimum line coverage of `src/` (per package); 0 while a package has no real code yet. */
  lines?: number;
  /** Longest a single test may take, in ms. */
  testTimeout?: number;
}

/**
 * Every entry point of every workspace package under packages/ and tools/ (`@tessera/core`,
 * `@tessera/core/internal`, `@tessera/blog/testing`), to the file its `source` condition names.
 */
function workspaceSources(): { find: RegExp; replacement: string }[] {
  return ['packages', 'tools'].flatMap((group) => {
    const dir = new URL(`./${group}/`, import.meta.url);
    return readdirSync(dir).flatMap((name) => {
      const file = new URL(`${name}/package.json`, dir);
      if (!existsSync(file)) return [];
      const pkg = JSON.parse(readFileSync(file, 'utf8'));
      const exports: Record<string, unknown> = pkg.exports ?? {};
      return Object.entries(exports).flatMap(([subpath, target]) => {
        const source =
          typeof target === 'string' ? target : (target as { source?: string } | null)?.source;
        if (!source || !source.endsWith('.ts')) return [];
        const specifier = `${pkg.name}${subpath.slice(1)}`;
        const escaped = specifier.replace(/[/.-]/g, '\\$&');
        return [
          { find: new RegExp(`^${escaped}$`), replacement: fileURLToPath(new URL(source, file)) },
        ];
      });
    });
  });
}

export function tesseraVitest(root: string, opts: PresetOptions = {}) {
  const conditions = ['source', ...defaultServerConditions];
  return defineConfig({
    root,
    // Workspace packages resolve to their TypeScript sources everywhere (global setup included).
    resolve: {
      conditions,
      alias: workspaceSources(),
    },
    ssr: { resolve: { conditions, externalConditions: ['source'] } },
    test: {
      include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
      globalSetup: [
        fileURLToPath(new URL('./packages/testing/src/global-setup.ts', import.meta.url)),
      ],
      pool: 'forks',
      maxWorkers: 2,
      testTimeout: opts.testTimeout ?? 30_000,
      hookTimeout: 120_000,
      reporters: ['default', ['json', { outputFile: '.reports/vitest.json' }]],
      coverage: {
        enabled: true,
        provider: 'v8',
        include: ['src/**/*.ts'],
        exclude: ['src/**/*.test.ts', 'src/**/migrations/**'],
        reporter: ['text-summary', 'json-summary'],
        reportsDirectory: 'coverage',
        thresholds: { lines: opts.lines ?? 90 },
      },
    },
  });
}
