import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSite } from '@tessera/testing';
import { CORE_TEMPLATES, TemplateNotFound, Templates, safeJson, toDir } from '../src/index.ts';
import { Note } from './fixtures/notes/index.ts';
import { SITE_TEMPLATES, createNotesSite } from './helpers.ts';

const NOTES_TEMPLATES = fileURLToPath(new URL('./fixtures/notes/templates/', import.meta.url));

describe('the template search path', () => {
  let t: TestSite;
  let noteId: number;
  beforeAll(async () => {
    t = await createNotesSite({ settings: { templates: SITE_TEMPLATES, siteName: 'Fixture' } });
    const em = t.em();
    const note = em.create(Note, { title: '<script>alert(1)</script>', body: 'a & b' });
    await em.flush();
    noteId = note.id;
  });
  afterAll(() => t.close());

  it('a site template beats the app’s template of the same name', async () => {
    const res = await t.client().get(`/notes/${noteId}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('data-source="site"');
    expect(res.body).not.toContain('data-source="app"');
    expect(t.site.templates.resolve('notes/detail.njk')?.owner).toBe('site');
    expect(t.site.templates.resolve('notes/list.njk')?.owner).toBe('notes');
    expect(t.site.templates.resolve('notes/nothing.njk')).toBeUndefined();
  });

  it('list() shows which source wins each name and which it overrides', () => {
    const byName = new Map(t.site.templates.list().map((e) => [e.name, e]));
    expect(byName.get('notes/detail.njk')).toMatchObject({ winner: 'site', overrides: ['notes'] });
    expect(byName.get('notes/detail.njk')?.file).toBe(
      join(toDir(SITE_TEMPLATES), 'notes', 'detail.njk'),
    );
    expect(byName.get('notes/list.njk')).toMatchObject({ winner: 'notes', overrides: [] });
    expect(byName.get('errors/404.njk')).toMatchObject({ winner: 'site', overrides: [] });
    expect(byName.get('base.njk')).toMatchObject({ winner: 'core', overrides: [] });
    expect(byName.get('core/forms.njk')).toMatchObject({ winner: 'core' });
    const names = [...byName.keys()];
    expect(names).toEqual([...names].sort());
  });

  it('escapes what a user typed: a <script> title renders as text', async () => {
    const list = await t.client().get('/notes');
    expect(list.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(list.body).not.toContain('<script>alert(1)');
    const detail = await t.client().get(`/notes/${noteId}`);
    expect(detail.body).toContain('a &amp; b');
  });

  it('every template sees url(), static() and the site name', async () => {
    const list = await t.client().get('/notes');
    expect(list.body).toContain('<title>Notes · Fixture</title>');
    expect(list.body).toContain('href="/static/notes/app.css"');
    expect(list.body).toContain(`href="/notes/${noteId}"`);
    expect(list.body).toContain('href="/notes/new"');
  });

  it('an app’s context processor adds values to every page', async () => {
    const html = await t.site.templates.render('notes/detail.njk', {
      note: { title: 'T', body: '' },
      notes_title: 'Journal',
      messages: () => [],
    });
    expect(html).toContain('<article class="note" data-source="site">');
    const appOwn = new Templates(
      [
        { owner: 'notes', dir: NOTES_TEMPLATES },
        { owner: 'core', dir: CORE_TEMPLATES },
      ],
      {
        cache: false,
      },
    );
    const own = await appOwn.render('notes/detail.njk', {
      note: { title: 'T', body: '' },
      notes_title: 'Journal',
      messages: () => [],
    });
    expect(own).toContain('<title>T · Journal</title>');
  });
});

describe('Templates', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-templates-'));
  mkdirSync(join(dir, 'demo'));
  writeFileSync(
    join(dir, 'demo', 'filters.njk'),
    '{{ d | date }}|{{ d | date("short") }}|{{ d | date("month") }}|{{ d | date("iso") }}|{{ "2024-02-03" | date }}|{{ "" | date }}|{{ "soon" | date }}|{{ nothing | date }}',
  );
  writeFileSync(join(dir, 'demo', 'json.njk'), '<script>var data = {{ data | json }};</script>');
  writeFileSync(join(dir, 'demo', 'broken.njk'), '{% if %}');
  writeFileSync(join(dir, 'demo', 'includes.njk'), '{% include "demo/absent.njk" %}');
  writeFileSync(join(dir, 'demo', 'notes.md'), 'not a template');
  const templates = new Templates(
    [
      { owner: 'site', dir },
      { owner: 'gone', dir: join(dir, 'does-not-exist') },
    ],
    { cache: true },
  );
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('drops sources whose folder does not exist', () => {
    expect(templates.sources.map((s) => s.owner)).toEqual(['site']);
  });

  it('formats dates in UTC in a few styles and ignores what is not a date', async () => {
    const out = await templates.render('demo/filters.njk', {
      d: new Date('2024-03-05T23:30:00Z'),
    });
    expect(out).toBe(
      '5 March 2024|5 Mar 2024|March 2024|2024-03-05T23:30:00.000Z|3 February 2024|||',
    );
  });

  it('the json filter cannot close the surrounding script tag', async () => {
    const out = await templates.render('demo/json.njk', { data: { html: '</script><b>&' } });
    expect(out).toBe(
      '<script>var data = {"html":"\\u003c/script\\u003e\\u003cb\\u003e\\u0026"};</script>',
    );
    expect(safeJson(undefined)).toBe('null');
  });

  it('a missing template is an error naming it', async () => {
    await expect(templates.render('demo/missing.njk', {})).rejects.toThrow(TemplateNotFound);
    await expect(templates.render('demo/missing.njk', {})).rejects.toThrow(
      "Template 'demo/missing.njk' was not found",
    );
  });

  it('a broken template or a missing include is reported as it is', async () => {
    await expect(templates.render('demo/broken.njk', {})).rejects.not.toThrow(TemplateNotFound);
    await expect(templates.render('demo/includes.njk', {})).rejects.toThrow(/absent\.njk/);
  });

  it('lists only template files', () => {
    expect(templates.list().map((e) => e.name)).toEqual([
      'demo/broken.njk',
      'demo/filters.njk',
      'demo/includes.njk',
      'demo/json.njk',
    ]);
  });

  it('toDir accepts a URL or a path', () => {
    expect(toDir(new URL('file:///srv/templates/'))).toBe('/srv/templates/');
    expect(toDir('/srv/templates')).toBe('/srv/templates');
  });
});
