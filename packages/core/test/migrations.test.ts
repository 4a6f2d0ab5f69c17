import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MigrationObject } from '@mikro-orm/core';
import { createTestSite, testServerUrl, type TestSite } from '@tessera/testing';
import { defineEntity, p, type AppSpec } from '../src/index.ts';
import {
  coreApp,
  collectMigrations,
  makeMigration,
  migrate,
  pendingMigrations,
  schemaDrift,
} from '../src/internal.ts';
import { withDependencies } from '../src/db/migrations.ts';
import { notes, pins } from './helpers.ts';

/** The notes entity after a developer added a `pinned` column to it. */
const GrownNote = defineEntity({
  name: 'Note',
  tableName: 'notes_note',
  properties: {
    id: p.integer().primary(),
    title: p.string().length(200),
    body: p.text(),
    createdAt: p
      .datetime()
      .onCreate(() => new Date())
      .index(),
    pinned: p.boolean().default(false),
  },
});

describe('collectMigrations', () => {
  it('names each migration `<app>.NNNN_what`, in the order of the apps', () => {
    const names = collectMigrations([coreApp, notes.spec, pins.spec]).map((m) => m.name);
    expect(names).toEqual([
      'core.0001_initial',
      'core.0002_rate_limit',
      'notes.0001_initial',
      'pins.0001_initial',
    ]);
  });

  it('withDependencies keeps an app, what it depends on, and core', () => {
    const all = [coreApp, notes.spec, pins.spec];
    expect(withDependencies(all, notes.spec).map((a) => a.name)).toEqual(['core', 'notes']);
    expect(withDependencies(all, pins.spec).map((a) => a.name)).toEqual(['core', 'notes', 'pins']);
  });
});

describe('migrate', () => {
  let t: TestSite;
  beforeAll(async () => {
    // pins is listed first but depends on notes: its table references notes_note.
    t = await createTestSite({ apps: [pins(), notes()] });
  });
  afterAll(() => t.close());

  it('applied every app’s migrations in dependency order at boot', async () => {
    const rows = await t
      .em()
      .getConnection()
      .execute<{ name: string }[]>('select name from tessera_migrations order by id');
    expect(rows.map((r) => r.name)).toEqual([
      'core.0001_initial',
      'core.0002_rate_limit',
      'notes.0001_initial',
      'pins.0001_initial',
    ]);
    expect(await pendingMigrations(t.site.orm)).toEqual([]);
    expect(await migrate(t.site.orm)).toEqual([]);
  });
});

describe('schemaDrift', () => {
  const serverUrl = () => testServerUrl();

  it('is empty when entities and migrations agree', async () => {
    expect(await schemaDrift(serverUrl(), [coreApp, notes.spec, pins.spec])).toEqual({
      up: '',
      down: '',
    });
  });

  it('answers the missing SQL when an entity gains a property', async () => {
    const grown: AppSpec = { ...notes.spec, entities: [GrownNote] };
    const drift = await schemaDrift(serverUrl(), [coreApp, grown]);
    expect(drift.up).toMatch(
      /alter table "notes_note" add "pinned" boolean not null default false/,
    );
    expect(drift.down).toMatch(/drop column "pinned"/);
  });

  it('runs several at once, each on its own scratch database', async () => {
    const results = await Promise.all([
      schemaDrift(serverUrl(), [coreApp, notes.spec]),
      schemaDrift(serverUrl(), [coreApp, notes.spec]),
    ]);
    expect(results).toEqual([
      { up: '', down: '' },
      { up: '', down: '' },
    ]);
  });
});

describe('makeMigration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-migrations-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const source = fileURLToPath(new URL('./fixtures/notes/migrations/', import.meta.url));

  it('writes the next numbered migration and the folder’s index.ts', async () => {
    copyFileSync(join(source, '0001_initial.ts'), join(dir, '0001_initial.ts'));
    const grown: AppSpec = {
      ...notes.spec,
      entities: [GrownNote],
      migrationsDir: pathToFileURL(`${dir}/`),
    };
    const dry = await makeMigration(testServerUrl(), [coreApp, grown], grown, 'add pinned', {
      dryRun: true,
    });
    expect(dry?.source).toContain('add \\"pinned\\" boolean not null default false');
    // A dry run writes nothing.
    expect(readdirSync(dir).sort()).toEqual(['0001_initial.ts']);
    const file = (await makeMigration(testServerUrl(), [coreApp, grown], grown, 'add pinned'))
      ?.file;
    expect(file).toBe(join(dir, '0002_add_pinned.ts'));
    expect(readdirSync(dir).sort()).toEqual(['0001_initial.ts', '0002_add_pinned.ts', 'index.ts']);
    const written = readFileSync(file!, 'utf8');
    expect(written).toContain('export class Migration0002 extends Migration');
    expect(written).toContain('add \\"pinned\\" boolean not null default false');
    const index = readFileSync(join(dir, 'index.ts'), 'utf8');
    expect(index).toContain("{ name: '0001_initial', class: Migration0001 }");
    expect(index).toContain("{ name: '0002_add_pinned', class: Migration0002 }");
  });

  it('the written migration brings the schema in line with the entities', async () => {
    // The copied 0001 imports core by a relative path that does not exist here: load 0002 alone
    // and run it after the fixture's own 0001.
    const written = (await import(pathToFileURL(join(dir, '0002_add_pinned.ts')).href)) as Record<
      string,
      MigrationObject['class']
    >;
    const grown: AppSpec = {
      ...notes.spec,
      entities: [GrownNote],
      migrations: [
        ...notes.spec.migrations!,
        { name: '0002_add_pinned', class: written.Migration0002! },
      ],
    };
    expect(await schemaDrift(testServerUrl(), [coreApp, grown])).toEqual({ up: '', down: '' });
  });

  it('writes nothing when the entities add nothing', async () => {
    const inSync: AppSpec = { ...notes.spec, migrationsDir: pathToFileURL(`${dir}/`) };
    expect(await makeMigration(testServerUrl(), [coreApp, inSync], inSync)).toBeNull();
    expect(readdirSync(dir)).toHaveLength(3);
  });

  it('needs the app to declare where its migrations live', async () => {
    const { migrationsDir: _unused, ...withoutDir } = notes.spec;
    await expect(makeMigration(testServerUrl(), [coreApp, withoutDir], withoutDir)).rejects.toThrow(
      "App 'notes' declares no migrationsDir.",
    );
  });
});
