import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeInvalidations, type InvalidationsFake, type TestSite } from '@tessera/testing';
import { BLOG_CACHE_TAGS, deleteEntry, saveEntry } from '../src/index.ts';
import { ALL_PERMISSIONS, blogSite, makeEntry, makeUser, signIn } from './helpers.ts';

// The blog names its pages' cache tags and invalidates them itself, through core's meeting point;
// the cache app knows none of them. One change is one call, made after the commit.

let t: TestSite;
let invalidations: InvalidationsFake;

beforeAll(async () => {
  t = await blogSite();
  await makeUser(t, 'editor@example.com', { permissions: ALL_PERMISSIONS });
});
beforeEach(() => {
  invalidations = fakeInvalidations(t.site);
  return () => invalidations.restore();
});
afterAll(() => t?.close());

const entryInput = {
  slug: '',
  body: 'Body.',
  excerpt: '',
  status: 'live' as const,
  pubDate: null,
  extra: {},
};

describe('one save, one invalidation', () => {
  it('a save that publishes an entry and changes its tags invalidates once, with tagging’s tags', async () => {
    const entry = await saveEntry(
      t.site,
      t.em(),
      null,
      { ...entryInput, title: 'Once', tags: ['a', 'b'] },
      { user: null },
    );
    expect(invalidations.calls).toHaveLength(1);
    expect(invalidations.calls[0]!.sort()).toEqual(
      [
        BLOG_CACHE_TAGS.list,
        BLOG_CACHE_TAGS.feeds,
        BLOG_CACHE_TAGS.entry(entry.slug),
        'tagging:cloud',
        'tagging:tag:a',
        'tagging:tag:b',
      ].sort(),
    );
  });

  it('a save through the editing page invalidates once', async () => {
    const c = await signIn(t, 'editor@example.com');
    const res = await c.post('/blog/new', {
      title: 'From the page',
      body: 'Hi.',
      status: 'live',
      tags: 'x, y',
    });
    expect(res.statusCode).toBe(303);
    expect(invalidations.calls).toHaveLength(1);
    expect(invalidations.calls[0]).toContain('tagging:tag:x');
    expect(invalidations.calls[0]).toContain(BLOG_CACHE_TAGS.entry('from-the-page'));
  });

  it('a save that changes no tag still invalidates once, with the pages of the entry’s tags', async () => {
    const entry = await makeEntry(t, { tags: ['kept'] });
    invalidations.calls.length = 0;
    await saveEntry(
      t.site,
      t.em(),
      entry.slug,
      { ...entryInput, slug: entry.slug, title: 'Retitled', tags: ['kept'] },
      { user: null },
    );
    expect(invalidations.calls).toEqual([
      [
        BLOG_CACHE_TAGS.list,
        BLOG_CACHE_TAGS.feeds,
        BLOG_CACHE_TAGS.entry(entry.slug),
        'tagging:tag:kept',
      ],
    ]);
  });

  it('a delete invalidates once; a refused save not at all', async () => {
    const entry = await makeEntry(t, { tags: ['gone'] });
    invalidations.calls.length = 0;
    await deleteEntry(t.site, t.em(), entry.slug, { user: null });
    expect(invalidations.calls).toHaveLength(1);
    const other = await makeEntry(t);
    invalidations.calls.length = 0;
    await expect(
      saveEntry(
        t.site,
        t.em(),
        null,
        { ...entryInput, title: 'Clash', slug: other.slug, tags: [] },
        { user: null },
      ),
    ).rejects.toMatchObject({ code: 'TESSERA_BLOG_DUPLICATE_SLUG' });
    expect(invalidations.calls).toEqual([]);
  });
});
