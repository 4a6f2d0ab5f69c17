import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SECRET_KEY, createTestSite, testServerUrl, type TestSite } from '@tessera/testing';
import {
  DependencyCycle,
  ImproperlyConfigured,
  IncompatibleVersion,
  createSite,
  defineApp,
  defineSettings,
  override,
  resolveOptions,
  type InstalledApp,
  type SettingsInput,
} from '../src/index.ts';
import {
  CORE_VERSION,
  checkCompatibility,
  coreApp,
  dropDatabase,
  ensureDatabase,
  orderApps,
} from '../src/internal.ts';
import {
  DEFAULT_PAGINATE_BY,
  DEFAULT_TITLE,
  NotesOptions,
  noteForm,
} from './fixtures/notes/index.ts';
import { notes, pins } from './helpers.ts';

/** Connections open on `database`, asked until none are left (a closed backend exits a moment later). */
async function connectionsSettle(serverUrl: string, database: string): Promise<number> {
  const client = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  await client.connect();
  try {
    let n = -1;
    for (let attempt = 0; attempt < 50 && n !== 0; attempt++) {
      if (attempt) await new Promise((r) => setTimeout(r, 20));
      const { rows } = await client.query<{ n: number }>(
        'select count(*)::int as n from pg_stat_activity where datname = $1',
        [database],
      );
      n = rows[0]!.n;
    }
    return n;
  } finally {
    await client.end();
  }
}

/**
 * Boots a site whose database does not exist: a boot error raised before the database is
 * touched surfaces as itself, not as a connection error.
 */
function boot(apps: InstalledApp[], extra: Partial<SettingsInput> = {}) {
  return createSite(
    defineSettings({
      apps,
      routes: { mounts: {} },
      secretKey: TEST_SECRET_KEY,
      databaseUrl: 'postgres://postgres@127.0.0.1:1/nowhere',
      logLevel: 'silent',
      ...extra,
    }),
  );
}

describe('defineApp', () => {
  it('answers a factory that carries the declaration and the options the site gave', () => {
    const installed = notes({ title: 'Journal' });
    expect(notes.spec.name).toBe('notes');
    expect(installed.spec).toBe(notes.spec);
    expect(installed.input).toEqual({ title: 'Journal' });
    expect(notes().input).toEqual({});
  });

  it('refuses an app name that is not lower-case letters, digits and dashes', () => {
    expect(() => defineApp({ name: 'Notes_App' })).toThrow(/lower-case letters, digits and dashes/);
  });
});

describe('options', () => {
  it('fill every default into a new object and keep a form instance as given', () => {
    const input = { title: 'Journal' };
    const resolved = resolveOptions('notes', NotesOptions, input);
    expect(resolved).toMatchObject({ title: 'Journal', paginateBy: DEFAULT_PAGINATE_BY });
    expect(resolved.form).toBe(noteForm);
    expect(resolved).not.toBe(input);
    expect(input).toEqual({ title: 'Journal' });
    expect(resolveOptions('notes', NotesOptions, undefined).title).toBe(DEFAULT_TITLE);
  });

  it('a bad option fails at boot naming the app, the field and what was expected', async () => {
    await expect(boot([notes({ paginateBy: 0 })])).rejects.toThrow(ImproperlyConfigured);
    await expect(boot([notes({ paginateBy: 0 })])).rejects.toThrow(
      "App 'notes': option 'paginateBy' must be >= 1 (got 0).",
    );
    await expect(boot([notes({ title: 42 as unknown as string })])).rejects.toThrow(
      "App 'notes': option 'title' must be string (got 42).",
    );
  });

  it('keeps a function given as an override point’s default as that function', () => {
    const toNote = (_request: unknown, note: { id: number }) => `/notes/${note.id}`;
    const pickTemplate = () => 'notes/detail.njk';
    const schema = Type.Object({
      successRedirect: override.redirect<{ id: number }>(toNote),
      template: override.template(pickTemplate),
    });
    const resolved = resolveOptions('notes', schema, {});
    expect(resolved.successRedirect).toBe(toNote);
    expect(resolved.template).toBe(pickTemplate);
  });

  it('describes a function or a missing value in the error', () => {
    const schema = NotesOptions;
    expect(() =>
      resolveOptions('notes', schema, { title: (() => 'x') as unknown as string }),
    ).toThrow(/option 'title' .*\(got a function\)/);
  });
});

describe('site composition', () => {
  let t: TestSite;
  beforeAll(async () => {
    t = await createTestSite({
      apps: [pins(), notes({ title: 'Journal' })],
      routes: { mounts: { notes: '/journal' } },
    });
  });
  afterAll(() => t.close());

  it('orders apps so each boots after what it depends on, core first', () => {
    expect(t.site.apps.map((a) => a.name)).toEqual(['core', 'notes', 'pins']);
  });

  it('mounts an app at the prefix the site gives it', async () => {
    const res = await t.client().get('/journal');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<h1>Journal</h1>');
    expect((await t.client().get('/notes')).statusCode).toBe(404);
  });

  it('keeps each app’s resolved options by name', () => {
    expect(t.site.options.get('notes')).toMatchObject({ title: 'Journal', paginateBy: 20 });
    expect(t.site.options.get('pins')).toEqual({});
  });

  it('mounts an app the site does not list at /<name>', async () => {
    const other = await createTestSite({ apps: [notes()] });
    try {
      expect((await other.client().get('/notes')).statusCode).toBe(200);
      expect(other.site.url('notes:detail', { id: 3 })).toBe('/notes/3');
    } finally {
      await other.close();
    }
  });

  it('mounts an app at the root when the site gives it `/`', async () => {
    const other = await createTestSite({ apps: [notes()], routes: { mounts: { notes: '/' } } });
    try {
      expect(other.site.url('notes:detail', { id: 3 })).toBe('/3');
      expect((await other.client().get('/new')).statusCode).toBe(200);
    } finally {
      await other.close();
    }
  });
});

describe('boot errors', () => {
  it('a missing dependency names the app and what it needs', async () => {
    await expect(boot([pins()])).rejects.toThrow(
      "tessera.E003: App 'pins' depends on app 'notes', which is not installed.\n\tHINT: Add notes() to the site's apps",
    );
    expect(() => orderApps([pins()])).toThrow(
      "App 'pins' depends on app 'notes', which is not installed: add it to the site's apps.",
    );
  });

  it('a dependency cycle names the apps in it', () => {
    const a = defineApp({ name: 'a', dependsOn: ['b'] });
    const b = defineApp({ name: 'b', dependsOn: ['c'] });
    const c = defineApp({ name: 'c', dependsOn: ['a'] });
    expect(() => orderApps([a(), b(), c()])).toThrow(DependencyCycle);
    expect(() => orderApps([a(), b(), c()])).toThrow(/a → b → c → a/);
  });

  it('an app installed twice is refused', () => {
    expect(() => orderApps([notes(), notes()])).toThrow(/App 'notes' is installed twice/);
  });

  it('an app needing another core version is refused with both versions named', () => {
    const picky = defineApp({ name: 'picky', requires: { '@tessera/core': '^9.0.0' } });
    expect(() => checkCompatibility([coreApp, picky.spec])).toThrow(IncompatibleVersion);
    expect(() => checkCompatibility([coreApp, picky.spec])).toThrow(
      `App 'picky' needs @tessera/core ^9.0.0, but the site has ${CORE_VERSION}.`,
    );
  });

  it('checks ranges on other installed apps and ignores packages the site does not have', () => {
    const needsNotes = defineApp({ name: 'needs', requires: { '@tessera/notes': '^2.0.0' } });
    expect(() => checkCompatibility([coreApp, notes.spec, needsNotes.spec])).toThrow(
      /needs @tessera\/notes \^2.0.0, but the site has 0.1.0/,
    );
    const relaxed = defineApp({ name: 'relaxed', requires: { '@tessera/absent': '^1.0.0' } });
    expect(() => checkCompatibility([coreApp, notes.spec, relaxed.spec])).not.toThrow();
  });

  it('a short secret key is refused before anything starts', async () => {
    await expect(boot([], { secretKey: 'short' })).rejects.toThrow(
      "tessera.E001: Setting 'secretKey' must not have fewer than 32 characters (got a secret of 5 characters).",
    );
  });

  it('a boot that fails in an app’s setup closes its database connections', async () => {
    const serverUrl = testServerUrl();
    const database = `tessera_t_${randomBytes(6).toString('hex')}`;
    await ensureDatabase(serverUrl, database);
    const broken = defineApp({
      name: 'broken',
      setup() {
        throw new Error('setup exploded');
      },
    });
    try {
      await expect(
        createSite(
          defineSettings({
            apps: [broken()],
            routes: { mounts: {} },
            secretKey: 'a-secret-key-that-is-long-enough-for-tests',
            databaseUrl: `${serverUrl}/${database}`,
            logLevel: 'silent',
          }),
          { migrate: true },
        ),
      ).rejects.toThrow('setup exploded');
      expect(await connectionsSettle(serverUrl, database)).toBe(0);
    } finally {
      await dropDatabase(serverUrl, database);
    }
  });
});
