import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '@tessera/auth';
import { fields, veto } from '@tessera/core';
import { expectCountChange, recordHook, type TestSite } from '@tessera/testing';
import { Entry, entryForm } from '../src/index.ts';
import {
  ALL_PERMISSIONS,
  asCurrent,
  blogSite,
  entryCount,
  makeEntry,
  makeUser,
  signIn,
} from './helpers.ts';

let t: TestSite;
let editorUser: User;
beforeAll(async () => {
  t = await blogSite();
  editorUser = await makeUser(t, 'editor@example.com', {
    permissions: ALL_PERMISSIONS,
    displayName: 'Ed',
  });
  await makeUser(t, 'staff@example.com', { permissions: ALL_PERMISSIONS, staff: true });
  await makeUser(t, 'reader@example.com');
});
afterAll(() => t?.close());

const valid = (over: Record<string, unknown> = {}) => ({
  title: 'A new entry',
  slug: '',
  body: 'Some *markdown*.',
  excerpt: '',
  status: 'live',
  pubDate: '2024-06-01T10:30',
  tags: 'python, "web apps"',
  ...over,
});

const stored = (slug: string) => t.em().findOne(Entry, { slug }, { populate: ['author'] });

describe('access', () => {
  it('sends anonymous visitors to the login page and refuses users without the permission', async () => {
    const anon = await t.client().get('/blog/new');
    expect(anon.statusCode).toBe(303);
    expect(anon.headers.location).toBe('/accounts/login?next=%2Fblog%2Fnew');
    const reader = await signIn(t, 'reader@example.com');
    expect((await reader.get('/blog/new')).statusCode).toBe(403);
    expect((await reader.post('/blog/new', valid())).statusCode).toBe(403);
    expect((await reader.get('/blog/drafts')).statusCode).toBe(200);
    expect((await t.client().get('/blog/drafts')).statusCode).toBe(303);
  });
});

describe('creating', () => {
  it('shows the entry form with every field and a CSRF token', async () => {
    const c = await signIn(t, 'editor@example.com');
    const res = await c.get('/blog/new');
    expect(res.statusCode).toBe(200);
    for (const name of ['title', 'slug', 'body', 'excerpt', 'status', 'pubDate', 'tags', '_csrf']) {
      expect(res.body).toContain(`name="${name}"`);
    }
    expect(res.body).toContain('formaction="/blog/preview"');
  });

  it('saves an entry with rendered HTML, an excerpt, tags and its author, then shows it', async () => {
    const c = await signIn(t, 'editor@example.com');
    const res = await c.post(
      '/blog/new',
      valid({ body: 'Some *markdown*.\n\n<script>alert(1)</script>' }),
    );
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/blog/2024/06/a-new-entry');
    const entry = (await stored('a-new-entry'))!;
    expect(entry.bodyHtml).toBe('<p>Some <em>markdown</em>.</p>');
    expect(entry.excerpt).toBe('Some markdown.');
    expect(entry.pubDate.toISOString()).toBe('2024-06-01T10:30:00.000Z');
    expect(entry.author?.email).toBe('editor@example.com');
    const page = await c.get(res.headers.location as string);
    expect(page.body).toContain('Saved “A new entry”.');
    expect(page.body).toContain('<a href="/blog/tag/web-apps" rel="tag">web apps</a>');
    expect(page.body).toContain('<a href="/blog/edit/a-new-entry">Edit</a>');
  });

  it('refuses a post without a CSRF token and writes nothing', async () => {
    const c = await signIn(t, 'editor@example.com');
    await expectCountChange(t.em, Entry, 0, async () => {
      expect(
        (await c.post('/blog/new', valid({ slug: 'no-token' }), { csrf: false })).statusCode,
      ).toBe(403);
    });
  });

  it('stores script tags in markdown stripped', async () => {
    const entry = await makeEntry(t, { slug: 'taken', body: 'Hi <script>alert(1)</script>' });
    expect((await stored(entry.slug))!.bodyHtml).toBe('<p>Hi </p>');
  });

  it.each([
    [
      'a duplicate slug',
      { slug: 'taken' },
      'slug',
      'An entry with the slug "taken" already exists',
    ],
    ['an unknown status', { status: 'published' }, 'status', 'Select a valid choice'],
    ['an invalid date', { pubDate: '2024-02-30T25:00' }, 'pubDate', 'Enter a valid date'],
    ['a malformed date', { pubDate: 'yesterday' }, 'pubDate', 'Enter a valid date and time'],
    ['a bad slug', { slug: 'Not A Slug!' }, 'slug', 'lower-case letters, digits and single dashes'],
    ['a title without letters for a slug', { title: '!!!' }, 'slug', 'Enter a slug'],
    ['no title', { title: '' }, 'title', 'This field is required.'],
    ['a bad tag', { tags: '"' + 'x'.repeat(60) + '"' }, 'tags', 'longer than 50 characters'],
    ['an unknown field', { rating: '5' }, '__all__', 'Unknown field: rating.'],
  ])(
    're-renders the form with an error for %s and writes nothing',
    async (_what, over, field, message) => {
      const c = await signIn(t, 'editor@example.com');
      await expectCountChange(t.em, Entry, 0, async () => {
        const res = await c.post('/blog/new', valid(over));
        expect(res.statusCode).toBe(422);
        expect(res.body).toContain(message.replaceAll('"', '&quot;'));
        if (field !== '__all__') expect(res.body).toContain(`has-errors" data-field="${field}"`);
        expect(res.body).toContain('name="title"');
      });
    },
  );
});

describe('editing and deleting', () => {
  it("leaves the excerpt field empty for an excerpt the blog made, by today's rule or the earlier one", async () => {
    const editor = await signIn(t, 'editor@example.com');
    const body = '## Why\n\nA site is apps.\n\n- one\n- two';
    await makeEntry(t, { title: 'Made excerpt', slug: 'made-excerpt', body });
    expect((await stored('made-excerpt'))!.excerpt).toBe('A site is apps.');
    const emptyExcerpt = /<textarea name="excerpt"[^>]*><\/textarea>/;
    expect((await editor.get('/blog/edit/made-excerpt')).body).toMatch(emptyExcerpt);
    // Saved before excerpts skipped headings and lists: all the text, run together.
    await t
      .em()
      .nativeUpdate(Entry, { slug: 'made-excerpt' }, { excerpt: 'Why A site is apps. one two' });
    expect((await editor.get('/blog/edit/made-excerpt')).body).toMatch(emptyExcerpt);
    await t.em().nativeUpdate(Entry, { slug: 'made-excerpt' }, { excerpt: 'Written by hand.' });
    expect((await editor.get('/blog/edit/made-excerpt')).body).toContain(
      'Written by hand.</textarea>',
    );
  });

  it('fills the form with the entry, saves changes and moves the entry when its slug changes', async () => {
    const editor = await signIn(t, 'editor@example.com');
    const entry = await makeEntry(t, {
      title: 'Before',
      slug: 'before',
      body: 'Old body.',
      tags: ['alpha', 'beta'],
      pubDate: new Date(Date.UTC(2024, 2, 3, 9, 15)),
    });
    const form = await editor.get('/blog/edit/before');
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('value="Before"');
    expect(form.body).toContain('value="alpha, beta"');
    expect(form.body).toContain('value="2024-03-03T09:15"');
    expect(form.body).toMatch(/<textarea name="excerpt"[^>]*><\/textarea>/);
    const res = await editor.post('/blog/edit/before', {
      ...valid({ title: 'After', slug: 'after', body: 'New body.', tags: 'beta, gamma' }),
      pubDate: '2024-03-03T09:15',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/blog/2024/03/after');
    const after = (await stored('after'))!;
    expect(after.id).toBe(entry.id);
    expect(after.bodyHtml).toBe('<p>New body.</p>');
    expect(after.excerpt).toBe('New body.');
    expect(await stored('before')).toBeNull();
    expect((await t.client().get('/blog/2024/03/before')).statusCode).toBe(404);
    const page = await t.client().get('/blog/2024/03/after');
    expect(page.body).toContain('rel="tag">gamma</a>');
    expect(page.body).not.toContain('rel="tag">alpha</a>');
  });

  it('keeps another author’s draft hidden from a non-staff editor, but not from staff', async () => {
    const other = await makeUser(t, 'other@example.com', { permissions: ALL_PERMISSIONS });
    await makeEntry(t, {
      title: 'Theirs',
      slug: 'theirs',
      status: 'draft',
      author: asCurrent(other),
    });
    const editor = await signIn(t, 'editor@example.com');
    expect((await editor.get('/blog/edit/theirs')).statusCode).toBe(404);
    expect((await editor.post('/blog/delete/theirs', {})).statusCode).toBe(404);
    const staff = await signIn(t, 'staff@example.com');
    expect((await staff.get('/blog/edit/theirs')).statusCode).toBe(200);
    expect((await staff.get('/blog/edit/no-such-entry')).statusCode).toBe(404);
  });

  it('asks before deleting, then deletes the entry and its tags', async () => {
    const entry = await makeEntry(t, { title: 'Doomed', slug: 'doomed', tags: ['doomed-tag'] });
    const staff = await signIn(t, 'staff@example.com');
    const confirm = await staff.get('/blog/delete/doomed');
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Delete “Doomed”?');
    expect(confirm.body).toContain('action="/blog/delete/doomed"');
    const res = await staff.post('/blog/delete/doomed', {});
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/blog');
    expect(await stored('doomed')).toBeNull();
    const items = await t
      .em()
      .execute(
        "select 1 from tagging_tagged_item where entity_type = 'blog_entry' and entity_id = ?",
        [entry.id],
      );
    expect(items).toHaveLength(0);
    expect((await staff.get('/blog')).body).toContain('Deleted “Doomed”.');
  });
});

describe('preview and drafts', () => {
  it('previews the sanitised entry without saving it, the form kept below', async () => {
    const c = await signIn(t, 'editor@example.com');
    await expectCountChange(t.em, Entry, 0, async () => {
      const res = await c.post('/blog/preview', {
        ...valid({ title: 'Peek <b>', body: '# Heading\n\n<script>alert(1)</script>' }),
        next: '/blog/edit/after',
      });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('Preview — not saved yet.');
      expect(res.body).toContain('<h1>Heading</h1>');
      expect(res.body).toContain('<h1>Peek &lt;b&gt;</h1>');
      expect(res.body).not.toContain('<script>alert(1)');
      expect(res.body).toContain('action="/blog/edit/after"');
      // The status as readers say it, and the tags as they will show.
      expect(res.body).toContain('<span class="status status-published">Published</span>');
      expect(res.body).toContain('<span class="tag">web apps</span>');
      const later = await c.post('/blog/preview', valid({ pubDate: '2999-01-01T00:00' }));
      expect(later.body).toContain('<span class="status status-scheduled">Scheduled</span>');
      const bad = await c.post('/blog/preview', {
        ...valid({ status: 'nope' }),
        next: 'https://evil.test/',
      });
      expect(bad.statusCode).toBe(422);
      expect(bad.body).toContain('action="/blog/new"');
    });
    const reader = await signIn(t, 'reader@example.com');
    expect((await reader.post('/blog/preview', valid())).statusCode).toBe(403);
  });

  it('lists unpublished entries: an editor’s own, or every one for staff', async () => {
    await makeEntry(t, { title: 'My draft', status: 'draft', author: asCurrent(editorUser) });
    const editor = await signIn(t, 'editor@example.com');
    const mine = await editor.get('/blog/drafts');
    expect(mine.body).toContain('My draft');
    expect(mine.body).toContain('<span class="status status-draft">Draft</span>');
    expect(mine.body).not.toContain('Theirs');
    const staff = await (await signIn(t, 'staff@example.com')).get('/blog/drafts');
    expect(staff.body).toContain('My draft');
    expect(staff.body).toContain('Theirs');
    expect((await editor.get('/blog/drafts?page=9')).statusCode).toBe(404);
  });
});

describe('overrides', () => {
  it('renders an extended form, passes its fields to hooks and follows the site’s redirect', async () => {
    const form = entryForm.extend({
      fields: { subtitle: fields.text({ label: 'Subtitle', required: false }) },
    });
    const s = await blogSite({
      form,
      successRedirect: (_request, entry) => `/blog/drafts?saved=${entry.slug}`,
      deleteRedirect: 'blog:entry-drafts',
    });
    try {
      await makeUser(s, 'editor@example.com', { permissions: ALL_PERMISSIONS });
      const saved = recordHook(s.site.hooks, 'blog:entry-saved');
      const c = await signIn(s, 'editor@example.com');
      expect((await c.get('/blog/new')).body).toContain('name="subtitle"');
      const res = await c.post('/blog/new', valid({ subtitle: 'The sequel' }));
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/blog/drafts?saved=a-new-entry');
      expect(saved).toHaveLength(1);
      expect(saved[0]!.extra).toEqual({ subtitle: 'The sequel' });
      const deleted = await c.post('/blog/delete/a-new-entry', {});
      expect(deleted.statusCode).toBe(303);
      expect(deleted.headers.location).toBe('/blog/drafts');
    } finally {
      await s.close();
    }
  });

  it('takes a form chosen per request, on the pages and in the JSON API', async () => {
    const extended = entryForm.extend({
      fields: { mood: fields.text({ label: 'Mood', required: false }) },
    });
    const s = await blogSite({ form: () => extended });
    try {
      await makeUser(s, 'editor@example.com', { permissions: ALL_PERMISSIONS });
      const saved = recordHook(s.site.hooks, 'blog:entry-saved');
      const c = await signIn(s, 'editor@example.com');
      expect((await c.get('/blog/new')).body).toContain('name="mood"');
      expect((await c.post('/blog/new', valid({ mood: 'sunny' }))).statusCode).toBe(303);
      const api = await c.post(
        '/blog/api/entries',
        { title: 'By API', body: 'Hi.', status: 'live', mood: 'grey' },
        { json: true, headers: { accept: 'application/json' } },
      );
      expect(api.statusCode, api.body).toBe(201);
      const refused = await c.post(
        '/blog/api/entries',
        { title: 'By API', body: 'Hi.', status: 'live', colour: 'red' },
        { json: true, headers: { accept: 'application/json' } },
      );
      expect(refused.statusCode).toBe(422);
      expect(saved.map((p) => p.extra)).toEqual([{ mood: 'sunny' }, { mood: 'grey' }]);
    } finally {
      await s.close();
    }
  });

  it('shows a vetoing listener’s reason on the form and writes nothing', async () => {
    const off = t.site.hooks.on('blog:entry-saving', function noShouting({ entry }) {
      if (entry.title === entry.title.toUpperCase()) return veto('no shouting in titles');
    });
    try {
      const c = await signIn(t, 'editor@example.com');
      const before = await entryCount(t);
      const res = await c.post('/blog/new', valid({ title: 'LOUD' }));
      expect(res.statusCode).toBe(422);
      expect(res.body).toContain('The entry was not saved: no shouting in titles');
      expect(await entryCount(t)).toBe(before);
    } finally {
      off();
    }
  });
});
