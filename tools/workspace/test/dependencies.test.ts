import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { resolveApps, siteFiles, type AppMeta } from '@tessera/create-site';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  codeFiles,
  describeUndeclared,
  importsOf,
  undeclaredImports,
  type Manifest,
} from '../src/dependencies.ts';

const root = new URL('../../../', import.meta.url).pathname;
interface Pkg extends Manifest {
  name: string;
  version: string;
  tessera?: Omit<AppMeta, 'name' | 'version'>;
}
const manifest = (dir: string): Pkg => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
// The generator's own test creates and removes packages/zz-generated-* while this file runs.
const projects = ['packages', 'apps', 'tools'].flatMap((group) =>
  readdirSync(join(root, group))
    .filter((name) => !name.startsWith('zz-generated-'))
    .map((name) => `${group}/${name}`)
    .filter((dir) => existsSync(join(root, dir, 'package.json'))),
);

// Core's tests use the test kit, which is built on core. Declared, that test-only cycle would be
// a cycle for npm, changesets and the release's build order too; Nx cuts it the same way
// (packages/core/package.json: implicitDependencies "!@tessera/testing").
const TEST_ONLY_CYCLES: Record<string, string[]> = { 'packages/core': ['@tessera/testing'] };

describe('every project declares what it imports', () => {
  it.each(projects)(
    '%s: runtime code from dependencies or peerDependencies, tests and configs from any section',
    (dir) => {
      const found = undeclaredImports(manifest(join(root, dir)), codeFiles(join(root, dir))).filter(
        (u) => !(u.role === 'dev' && TEST_ONLY_CYCLES[dir]?.includes(u.pkg)),
      );
      expect(describeUndeclared(dir, found)).toEqual([]);
    },
  );

  it('the workspace root declares what its configs and scripts import', () => {
    const files = codeFiles(root);
    expect(files.map((f) => f.path)).toContain('vitest.preset.ts');
    const found = undeclaredImports(manifest(root), files, () => 'dev');
    expect(describeUndeclared('the root package.json', found)).toEqual([]);
  });

  it('a site made by create-site declares every package its files import', () => {
    const apps: AppMeta[] = projects
      .filter((dir) => dir.startsWith('packages/'))
      .map((dir) => manifest(join(root, dir)))
      .flatMap((pkg) =>
        pkg.tessera
          ? [{ ...pkg.tessera, name: pkg.name.replace('@tessera/', ''), version: pkg.version }]
          : [],
      );
    const chosen = resolveApps(
      apps.map((a) => a.name),
      (name) => apps.find((a) => a.name === name)!,
    );
    const files = siteFiles('my-site', chosen, '0.1.0');
    const imported = Object.entries(files)
      .filter(([path]) => path.endsWith('.ts'))
      .map(([path, text]) => ({ path, text }));
    expect(imported.flatMap((f) => importsOf(f.text))).toContain('@tessera/blog');
    const found = undeclaredImports(JSON.parse(files['package.json']!), imported);
    expect(describeUndeclared('a created site', found)).toEqual([]);
  });
});

describe('lint holds package.json to the imports (@nx/dependency-checks)', () => {
  const eslint = new ESLint({ cwd: root });
  const file = join(root, 'packages', 'blog', 'package.json');
  const pkg = JSON.parse(readFileSync(file, 'utf8'));
  const lint = async (json: object) => {
    const [result] = await eslint.lintText(JSON.stringify(json, null, 2), { filePath: file });
    return result!.messages.map((m) => `${m.ruleId}: ${m.message}`).join('\n');
  };
  // The rule reads Nx's cached project graph and skips itself, silently, when there is none.
  beforeAll(() => execFileSync('npx', ['nx', 'show', 'projects'], { cwd: root, stdio: 'ignore' }));

  it('the package.json as it is passes', async () => {
    expect(await lint(pkg)).toBe('');
  });

  it('a runtime import missing from dependencies fails', async () => {
    const imported = new Set(
      codeFiles(join(root, 'packages', 'blog', 'src')).flatMap((f) => importsOf(f.text)),
    );
    const dep = Object.keys(pkg.dependencies).find((d) => imported.has(d))!;
    const { [dep]: _gone, ...rest } = pkg.dependencies;
    expect(await lint({ ...pkg, dependencies: rest })).toMatch(
      new RegExp(`dependency-checks: .*missing from "(peerD|d)ependencies"[^]*- ${dep}`),
    );
  });

  it('a dependency nothing imports fails', async () => {
    const messages = await lint({
      ...pkg,
      dependencies: { ...pkg.dependencies, 'left-pad': '^1.3.0' },
    });
    expect(messages).toMatch(/dependency-checks: The "left-pad" package is not used/);
  });
});
