// The API guard: every published package's public API is in its API.md, and an API that changes
// needs a changeset of the right bump — proved on a scratch copy of a package.
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runApi } from '../src/api/cli.ts';
import { diffDeclarations, neededBump, pendingBumps } from '../src/api/compare.ts';
import { normalise } from '../src/api/report.ts';

const root = new URL('../../../', import.meta.url).pathname;

// Emitting every package's declarations is CPU-bound (about 15 s alone); a busy machine stretches it.
const SLOW = { timeout: 600_000 };

describe('the published packages', SLOW, () => {
  it('each match their API.md, and what changed since their last release has a changeset', () => {
    // The generator's own test creates and removes packages/zz-generated-* while this file runs.
    const problems = runApi({
      root,
      write: false,
      only: (dir) => !basename(dir).startsWith('zz-generated-'),
    });
    expect(problems.join('\n\n')).toBe('');
  });
});

describe('the guard, on a scratch copy of @tessera/create-site', SLOW, () => {
  const ws = mkdtempSync(join(tmpdir(), 'tessera-api-'));
  const pkg = join(ws, 'tools', 'create-site');
  afterAll(() => rmSync(ws, { recursive: true, force: true }));
  writeFileSync(
    join(ws, 'package.json'),
    JSON.stringify({ name: 'scratch', private: true, workspaces: ['tools/*'] }),
  );
  cpSync(join(root, 'tsconfig.base.json'), join(ws, 'tsconfig.base.json'));
  symlinkSync(join(root, 'node_modules'), join(ws, 'node_modules'));
  mkdirSync(join(ws, '.changeset'));
  for (const part of ['package.json', 'src', 'tsconfig.json'])
    cpSync(join(root, 'tools', 'create-site', part), join(pkg, part), { recursive: true });
  const index = readFileSync(join(pkg, 'src', 'index.ts'), 'utf8');
  const probe = (signature: string, extra = '') =>
    writeFileSync(
      join(pkg, 'src', 'index.ts'),
      `${index}\n/** A probe. */\nexport function apiGuardProbe(${signature}): string {\n  return String(name);\n}\n${extra}`,
    );
  const changeset = (bump: string) =>
    writeFileSync(
      join(ws, '.changeset', 'probe.md'),
      `---\n'@tessera/create-site': ${bump}\n---\n\nProbe.\n`,
    );
  const check = () => runApi({ root: ws, write: false }).join('\n');
  const update = () => runApi({ root: ws, write: true });

  it('fails a breaking change without a minor changeset, naming the package and the name', () => {
    probe('name: string');
    expect(update()).toEqual([]);
    expect(readFileSync(join(pkg, 'API.md'), 'utf8')).toMatch(/### `apiGuardProbe`/);

    probe('name: number');
    expect(check()).toMatch(
      /@tessera\/create-site: its public API changed since 0\.1\.0, and while it is 0\.x, a breaking change needs at least a minor, but \.changeset\/ has no changeset for it:\n {2}- `apiGuardProbe` changed \(breaking\)\n {2}Add one: npx changeset --minor @tessera\/create-site/,
    );
    changeset('patch');
    expect(check()).toMatch(/has only a patch for it/);
  });

  it('passes it with a minor changeset, once npm run api has written the report', () => {
    changeset('minor');
    expect(check()).toBe(
      '@tessera/create-site: tools/create-site/API.md is out of date (`apiGuardProbe` changed); run npm run api and commit it.',
    );
    // The command line, as `npm run api` and `npm run api -- --check` run it.
    const cli = join(root, 'tools', 'workspace', 'src', 'api', 'cli.ts');
    execFileSync('node', [cli, '--root', ws], { stdio: 'ignore' });
    expect(execFileSync('node', [cli, '--root', ws, '--check'], { encoding: 'utf8' })).toMatch(
      /matches its API report/,
    );
  });

  it('still wants the changeset after the report is rewritten, until the change is undone', () => {
    rmSync(join(ws, '.changeset', 'probe.md'));
    expect(check()).toMatch(/`apiGuardProbe` changed \(breaking\)/);
    probe('name: string');
    expect(update()).toEqual([]);
    expect(readFileSync(join(pkg, 'API.md'), 'utf8')).not.toMatch(/Changed since/);
  });

  it('wants a patch for an addition', () => {
    probe('name: string', 'export const apiGuardExtra = 1;\n');
    expect(update().join('\n')).toMatch(
      /an addition needs at least a patch[^]*`apiGuardExtra` added/,
    );
    changeset('patch');
    expect(check()).toBe('');
  });
});

describe('what counts as breaking', () => {
  const diff = (before: string, after: string) =>
    diffDeclarations('X', normalise(before), normalise(after)).map(
      (c) => `${c.key} ${c.what} ${c.severity}`,
    );

  it('layout, comments and the order of a union do not count; the declarations do', () => {
    expect(normalise('/** doc */\ninterface X {\n  a: string;   b?: number }')).toBe(
      normalise('interface X { a: string; b?: number; }'),
    );
    // TypeScript prints a union in the order it met the types, which depends on what else it checked.
    expect(normalise('type X = { a: "b" | "a" | undefined }')).toBe(
      normalise('type X = { a: undefined | "a" | "b" }'),
    );
  });

  const G = 'X gained a signature or an optional parameter addition';
  it.each([
    [
      'an optional interface member added',
      'interface X { a: string }',
      'interface X { a: string; b?: number }',
      ['X.b added addition'],
    ],
    [
      'a required interface member added',
      'interface X { a: string }',
      'interface X { a: string; b: number }',
      ['X.b added as a required member breaking'],
    ],
    [
      'an interface member removed',
      'interface X { a: string; b: number }',
      'interface X { a: string }',
      ['X.b removed breaking'],
    ],
    [
      'an interface member changed',
      'interface X { a: string }',
      'interface X { a: number }',
      ['X.a changed breaking'],
    ],
    [
      'a type parameter added',
      'interface X { a: string }',
      'interface X<T> { a: string }',
      ['X changed breaking'],
    ],
    [
      'an optional parameter added',
      'function X(a: string): void;',
      'function X(a: string, b?: number): void;',
      [G],
    ],
    [
      'an overload added',
      'function X(a: string): void;',
      'function X(a: string): void;\nfunction X(a: number): void;',
      [G],
    ],
    [
      'a required parameter added',
      'function X(a: string): void;',
      'function X(a: string, b: number): void;',
      ['X changed breaking'],
    ],
    [
      'a return type changed',
      'function X(a: string): void;',
      'function X(a: string): string;',
      ['X changed breaking'],
    ],
    [
      'a class method added, private parts changed',
      'class X { a(): void; private b; }',
      'class X { a(): void; c(): void; #private; }',
      ['X.c added addition'],
    ],
  ])('%s', (_, before, after, expected) => {
    expect(diff(before, after)).toEqual(expected);
  });

  it('the bump: 0.x breaks with a minor and adds with a patch; from 1.0, major and minor', () => {
    expect([neededBump('breaking', '0.3.1'), neededBump('addition', '0.3.1')]).toEqual([
      'minor',
      'patch',
    ]);
    expect([neededBump('breaking', '1.2.0'), neededBump('addition', '1.2.0')]).toEqual([
      'major',
      'minor',
    ]);
  });

  it('reads the biggest bump each package has pending, however the changeset quotes its name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-changesets-'));
    writeFileSync(
      join(dir, 'a.md'),
      '---\n\'@tessera/core\': patch\n"@tessera/blog": minor\n---\n\nText: major\n',
    );
    writeFileSync(join(dir, 'b.md'), '---\n@tessera/core: minor\n---\n');
    writeFileSync(join(dir, 'README.md'), '---\n@tessera/core: major\n---\n');
    expect(Object.fromEntries(pendingBumps(dir))).toEqual({
      '@tessera/core': 'minor',
      '@tessera/blog': 'minor',
    });
    rmSync(dir, { recursive: true });
  });
});
