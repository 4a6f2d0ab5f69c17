import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { admin } from '@tessera/admin';
import { makeGroup } from '@tessera/auth/testing';
import {
  fakeInvalidations,
  recordHook,
  type InvalidationsFake,
  type TestSite,
} from '@tessera/testing';
import { addUserToGroup } from '@tessera/auth';
import { BLOG_CACHE_TAGS } from '../src/index.ts';
import { MOUNTS, blogSite, makeEntry, makeUser, signIn } from './helpers.ts';

// The blog registers its entries with the admin; the admin's pages save through `saveEntry`, so
// everything the editing pages do happens from the admin too.

const ENTRIES = '/admin/blog/entry';
let t: TestSite;
let invalidations: InvalidationsFake;

beforeAll(async () => {
  t = await blogSite({}, { apps: [admin()], routes: { mounts: { ...MOUNTS, admin: '/admin' } } });
  const editor = await makeUser(t, 'editor@example.com', { staff: true });
  // As the flow: a group holding "can change entry" (the admin declared it at boot).
  const group = await makeGroup(t, { name: 'editors', permissions: ['blog.change_entry'] });
  await addUserToGroup(t.em(), editor, group);
});
beforeEach(() => {
  invalidations = fakeInvalidations(t.site);
  return () => invalidations.restore();
});
afterAll(() => t?.close());

const idOf = async (slug: string) =>
  (await t.em().execute<{ id: number }[]>('select id from blog_entry where slug = ?', [slug]))[0]!
    .id;

describe('entries in the admin', () => {
  it('lists entries with status and date filters and a search', async () => {
    await makeEntry(t, { title: 'Live one', slug: 'live-one' });
    await makeEntry(t, { title: 'A draft', slug: 'a-draft', status: 'draft' });
    const c = await signIn(t, 'editor@example.com');
    const all = await c.get(ENTRIES);
    expect(all.statusCode).toBe(200);
    expect(all.body).toContain('Live one');
    expect(all.body).toContain('A draft');
    const drafts = await c.get(`${ENTRIES}?status=draft`);
    expect(drafts.body).toContain('A draft');
    expect(drafts.body).not.toContain('Live one');
    expect((await c.get(`${ENTRIES}?pubDate=today&q=live`)).body).not.toContain('A draft');
  });

  it('edits an entry with the blog’s form: the hook fires, the cache invalidates, the page changes', async () => {
    const before = await makeEntry(t, { title: 'Before', slug: 'before', tags: ['x'] });
    invalidations.calls.length = 0;
    const saved = recordHook(t.site.hooks, 'blog:entry-saved');
    const id = await idOf('before');
    const c = await signIn(t, 'editor@example.com');
    const form = await c.get(`${ENTRIES}/${id}`);
    expect(form.body).toContain('value="Before"');
    expect(form.body).toContain('name="tags"');
    const res = await c.post(`${ENTRIES}/${id}`, {
      title: 'After',
      slug: 'before',
      body: 'New body.',
      status: 'live',
      tags: 'x',
    });
    expect(res.statusCode, res.body).toBe(303);
    expect(saved.map((s) => s.entry.title)).toEqual(['After']);
    expect(invalidations.calls).toHaveLength(1);
    expect(invalidations.calls[0]).toContain(BLOG_CACHE_TAGS.entry('before'));
    expect((await t.client().get(before.url)).body).toContain('After');
    const history = await c.get(`${ENTRIES}/${id}`);
    expect(history.body).toMatch(/changed\s+entry “After”: title, body/);
  });

  it('logs only the fields changed at the precision the form shows (a date with seconds is not changed)', async () => {
    // Regression: the form shows minutes, the stored date had seconds, so every save named pubDate.
    await makeEntry(t, {
      title: 'Dated',
      slug: 'dated',
      body: 'Same body.',
      pubDate: new Date('2026-03-04T05:06:07.890Z'),
      tags: ['x'],
    });
    const id = await idOf('dated');
    const c = await signIn(t, 'editor@example.com');
    const form = await c.get(`${ENTRIES}/${id}`);
    expect(form.body).toContain('value="2026-03-04T05:06"');
    // What a browser sends back: every field as shown, the title edited.
    const res = await c.post(`${ENTRIES}/${id}`, {
      title: 'Dated, edited',
      slug: 'dated',
      body: 'Same body.',
      excerpt: '',
      status: 'live',
      pubDate: '2026-03-04T05:06',
      tags: 'x',
    });
    expect(res.statusCode, res.body).toBe(303);
    const [log] = await t
      .em()
      .execute<{ changed: string[] }[]>(
        "select changed from admin_log_entry where entity = 'entry' and object_id = ? order by id desc limit 1",
        [id],
      );
    expect(log!.changed).toEqual(['title']);
  });

  it('shows the blog’s refusals beside the fields', async () => {
    await makeEntry(t, { title: 'Taken', slug: 'taken' });
    await makeEntry(t, { title: 'Other', slug: 'other' });
    const c = await signIn(t, 'editor@example.com');
    const res = await c.post(`${ENTRIES}/${await idOf('other')}`, {
      title: 'Other',
      slug: 'taken',
      body: 'B.',
      status: 'live',
    });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('errorlist');
  });

  it('publishes and unpublishes as bulk actions, through the blog’s save', async () => {
    const a = await makeEntry(t, { title: 'Draft A', slug: 'draft-a', status: 'draft' });
    await makeEntry(t, { title: 'Draft B', slug: 'draft-b', status: 'draft' });
    const published = recordHook(t.site.hooks, 'blog:entry-published');
    const ids = [await idOf('draft-a'), await idOf('draft-b')];
    const c = await signIn(t, 'editor@example.com');
    expect((await c.post(ENTRIES, { action: 'publish', ids })).statusCode).toBe(303);
    expect(published.map((p) => p.entry.slug).sort()).toEqual(['draft-a', 'draft-b']);
    expect((await c.get(ENTRIES)).body).toContain('Published 2 entries.');
    expect((await t.client().get(a.url)).statusCode).toBe(200);
    expect((await c.post(ENTRIES, { action: 'unpublish', ids: [ids[0]] })).statusCode).toBe(303);
    expect((await t.client().get(a.url)).statusCode).toBe(404);
  });

  it('needs the delete permission to delete, and deletes through the blog', async () => {
    await makeEntry(t, { title: 'Doomed', slug: 'doomed' });
    const id = await idOf('doomed');
    const c = await signIn(t, 'editor@example.com');
    expect((await c.get(`${ENTRIES}/${id}/delete`)).statusCode).toBe(403);
    const boss = await makeUser(t, 'boss@example.com', {
      staff: true,
      permissions: ['blog.delete_entry'],
    });
    void boss;
    const b = await signIn(t, 'boss@example.com');
    const deleted = recordHook(t.site.hooks, 'blog:entry-deleted');
    expect((await b.post(`${ENTRIES}/${id}/delete`, {})).statusCode).toBe(303);
    expect(deleted.map((d) => d.entry.slug)).toEqual(['doomed']);
  });
});
