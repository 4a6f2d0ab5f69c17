import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url).pathname;
const name = `zz-generated-${process.pid}`;
const dir = join(root, 'packages', name);

describe('the app generator', () => {
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(join(root, '.changeset', `${name}-initial.md`), { force: true });
  });

  it('creates an app package with the standard shape whose own test passes', () => {
    execFileSync(
      'npx',
      ['nx', 'g', '@tessera/tools:app', name, '--description', 'Checks the generator.'],
      { cwd: root, stdio: 'ignore' },
    );
    for (const file of [
      'package.json',
      'README.md',
      'src/index.ts',
      'src/app.ts',
      'src/options.ts',
      'src/errors.ts',
      'src/routes.ts',
      'src/augment.ts',
      'src/forms.ts',
      'src/entry.entity.ts',
      'src/migrations/0001_initial.ts',
      `templates/${name}/index.njk`,
      `templates/${name}/entry.njk`,
      'test/app.test.ts',
    ]) {
      expect(existsSync(join(dir, file)), file).toBe(true);
    }
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(pkg.name).toBe(`@tessera/${name}`);
    expect(pkg.nx.tags).toEqual(['scope:app']);
    // The generated tests run against real PostgreSQL like every app's (its page, its form, its
    // hook, its 404, its options, its migration); a failure throws here.
    const out = execFileSync(
      'npx',
      ['vitest', 'run', '--coverage.enabled=false', '--reporter=dot'],
      { cwd: dir, encoding: 'utf8' },
    );
    expect(out).toMatch(/6 passed/);
  });

  it('refuses a name that is not an app name or a folder that exists', () => {
    expect(() =>
      execFileSync('npx', ['nx', 'g', '@tessera/tools:app', 'Bad_Name'], {
        cwd: root,
        stdio: 'pipe',
      }),
    ).toThrow();
    expect(() =>
      execFileSync('npx', ['nx', 'g', '@tessera/tools:app', 'core'], { cwd: root, stdio: 'pipe' }),
    ).toThrow();
  });
});
