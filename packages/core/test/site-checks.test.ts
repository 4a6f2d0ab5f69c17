// What `tessera check` adds to the boot's checks: migration drift naming the app, template
// drift after an app's template changed, static collisions — and diffsettings' report.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestSite } from '@tessera/testing';
import { defineApp, defineEntity, p, type AppFactory } from '../src/index.ts';
import { diffSettings } from '../src/diffsettings.ts';
import { siteChecks } from '../src/site-checks.ts';
import { writeTemplateLock } from '../src/template-lock.ts';
import { CONFLICTING_STATIC, notes, pins } from './helpers.ts';

const scratch = mkdtempSync(join(tmpdir(), 'tessera-site-checks-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The notes app whose entity grew a column its migrations do not make. */
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
const grownNotes = defineApp({ ...notes.spec, entities: [GrownNote] }) as unknown as AppFactory;

describe('tessera check on the database', () => {
  it('names the app whose entities and migrations disagree, with the missing SQL (E013)', async () => {
    const t = await createTestSite({
      apps: [grownNotes()],
      routes: { mounts: { notes: '/notes' } },
    });
    try {
      const found = await siteChecks(t.site);
      expect(found).toEqual([
        expect.objectContaining({
          id: 'tessera.E013',
          message: expect.stringMatching(
            /^The entities of app 'notes' and its migrations disagree; the missing SQL:\n\t\talter table "notes_note" add "pinned" boolean not null default false;/,
          ),
          hint: 'Run `tessera makemigrations notes`.',
        }),
      ]);
    } finally {
      await t.close();
    }
  });

  it('refuses two static files at one path, naming both (E016)', async () => {
    const t = await createTestSite({
      apps: [notes(), pins()],
      routes: { mounts: { notes: '/notes' } },
      settings: { static: CONFLICTING_STATIC },
    });
    try {
      const found = await siteChecks(t.site);
      expect(found).toEqual([
        expect.objectContaining({
          id: 'tessera.E016',
          message: expect.stringContaining("Static file 'notes/app.css' is claimed by both site ("),
        }),
      ]);
    } finally {
      await t.close();
    }
  });
});

describe('template drift', () => {
  it('warns when an app template the site overrides changed since the lock, naming both files', async () => {
    // A copy of the notes app whose templates we can change, and a site that overrides one.
    const appDir = join(scratch, 'notes-templates');
    cpSync(fileURLToPath(new URL('./fixtures/notes/templates/', import.meta.url)), appDir, {
      recursive: true,
    });
    const siteDir = join(scratch, 'site', 'templates');
    cpSync(fileURLToPath(new URL('./fixtures/site/templates/', import.meta.url)), siteDir, {
      recursive: true,
    });
    const copied = defineApp({
      ...notes.spec,
      templates: pathToFileURL(`${appDir}/`),
    }) as unknown as AppFactory;
    const t = await createTestSite({
      apps: [copied(), pins()],
      routes: { mounts: { notes: '/notes' } },
      settings: { templates: pathToFileURL(`${siteDir}/`) },
    });
    try {
      // No lock yet: one warning saying how to make one.
      expect((await siteChecks(t.site)).map((m) => m.id)).toEqual(['tessera.W015']);
      expect(writeTemplateLock(t.site)).toEqual({
        file: join(scratch, 'site', 'templates.lock.json'),
        count: 1,
      });
      expect(await siteChecks(t.site)).toEqual([]);
      // The app changes the template the site overrides.
      writeFileSync(join(appDir, 'notes', 'detail.njk'), '{# changed upstream #}\n');
      expect(await siteChecks(t.site)).toEqual([
        expect.objectContaining({
          id: 'tessera.W016',
          level: 'warning',
          message: `Template 'notes/detail.njk' overrides notes's, which changed since it was locked: compare ${join(siteDir, 'notes', 'detail.njk')} with ${join(appDir, 'notes', 'detail.njk')}.`,
        }),
      ]);
    } finally {
      await t.close();
    }
  });
});

describe('tessera diffsettings', () => {
  it('shows each changed value with where it came from, secrets masked', async () => {
    process.env.SMTP_URL = 'smtp://mailer:hunter2@127.0.0.1:2525';
    const t = await createTestSite({
      apps: [notes({ title: 'Journal' }), pins()],
      routes: { mounts: { notes: '/notes' } },
      settings: {
        siteName: 'Checks',
        mail: { transport: process.env.SMTP_URL, from: 'a@example.com', managers: [] },
      },
    });
    try {
      const report = await diffSettings(t.site);
      expect(report).toMatch(/^ {2}siteName = 'Checks'\s+settings$/m);
      expect(report).toMatch(/^ {2}secretKey = '\*{8}'\s+settings$/m);
      expect(report).toMatch(
        /^ {2}mail\.transport = 'smtp:\/\/mailer:\*{8}@127\.0\.0\.1:2525'\s+environment \(SMTP_URL\)$/m,
      );
      expect(report).toMatch(/^ {2}notes\.title = 'Journal'\s+site \(apps\)$/m);
      expect(report).not.toContain('hunter2');
      // Defaults only with --all, marked with #.
      expect(report).not.toMatch(/bodyLimit/);
      expect(await diffSettings(t.site, { all: true })).toMatch(
        /^# notes\.paginateBy = 20\s+default$/m,
      );
    } finally {
      delete process.env.SMTP_URL;
      await t.close();
    }
  });
});
