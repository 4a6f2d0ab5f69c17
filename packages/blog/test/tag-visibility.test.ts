// Issue 18, item 2: a draft or a live entry dated in the future made its tags public — listed
// with counts in tagging's cloud and JSON, and a page at `/tags/<slug>` and `/blog/tag/<slug>`.
// The blog now tells tagging which entries a visitor may see (`publicEntryIds`), and invalidates
// the cloud when an entry becomes visible or stops being so.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { kysely, sql } from '@tessera/core';
import { fakeInvalidations, type InvalidationsFake, type TestSite } from '@tessera/testing';
import { getTagging, TAGGING_CACHE_TAGS } from '@tessera/tagging';
import {
  publicEntryIds,
  publishDue,
  saveEntry,
  type BlogTables,
  type EntrySummary,
} from '../src/index.ts';
import { blogSite, makeEntry } from './helpers.ts';

const HOUR = 3_600_000;

let t: TestSite;
let invalidations: InvalidationsFake;
let shown: EntrySummary;
let future: EntrySummary;
let draft: EntrySummary;

beforeAll(async () => {
  t = await blogSite();
  shown = await makeEntry(t, { slug: 'shown', tags: ['shared'] });
  future = await makeEntry(t, {
    slug: 'future',
    pubDate: new Date(Date.now() + HOUR),
    tags: ['shared', 'embargoed'],
  });
  draft = await makeEntry(t, { slug: 'draft', status: 'draft', tags: ['shared', 'unfinished'] });
});
afterAll(() => t?.close());
beforeEach(() => {
  invalidations = fakeInvalidations(t.site);
  return () => invalidations.restore();
});

type CloudJson = { tags: { slug: string; count: number }[] };
const cloud = async () =>
  ((await t.client().get('/tags/api/tags')).json() as CloudJson).tags.map((x) => [x.slug, x.count]);

describe('tags of entries a visitor may not see', () => {
  it('publicEntryIds selects the live entries whose date has come', async () => {
    const db = kysely<BlogTables>(t.em());
    const { rows } = await sql<{ id: number }>`select id from (${publicEntryIds(db)}) v`.execute(
      db,
    );
    expect(rows.map((r) => r.id)).toEqual([shown.id]);
  });

  it('are not in the cloud, and a shared tag counts only the public entry', async () => {
    expect(await cloud()).toEqual([['shared', 1]]);
    const page = await t.client().get('/tags');
    expect(page.body).not.toContain('embargoed');
    expect(page.body).not.toContain('unfinished');
  });

  it('the cloud’s count matches the entries the blog’s tag page lists', async () => {
    const res = await t.client().get('/blog/api/entries?tag=shared');
    expect(res.statusCode).toBe(200);
    const { count } = res.json() as { count: number };
    expect(count).toBe(1);
    expect(await cloud()).toEqual([['shared', count]]);
  });

  it('a tag only hidden entries carry answers 404 on every tag page', async () => {
    for (const slug of ['embargoed', 'unfinished']) {
      expect((await t.client().get(`/tags/${slug}`)).statusCode).toBe(404);
      expect((await t.client().get(`/tags/api/tags/${slug}`)).statusCode).toBe(404);
      expect((await t.client().get(`/blog/tag/${slug}`)).statusCode).toBe(404);
    }
  });

  it('an entry’s tags are not read for a visitor while it is hidden, but are for its editor', async () => {
    const tagging = getTagging(t.site);
    expect(await tagging.tagsFor(t.em(), { type: 'blog_entry', id: draft.id })).toEqual([]);
    expect(
      (
        await tagging.tagsFor(t.em(), { type: 'blog_entry', id: draft.id }, { visibility: 'all' })
      ).map((x) => x.slug),
    ).toEqual(['shared', 'unfinished']);
  });
});

describe('when an entry becomes visible', () => {
  it('publish-due invalidates the cloud, and its tags appear', async () => {
    await t
      .em()
      .execute("update blog_entry set pub_date = now() - interval '1 second' where id = ?", [
        future.id,
      ]);
    const report = await publishDue(t.site, t.em());
    expect(report.due).toEqual(['future']);
    expect(invalidations.calls).toHaveLength(1);
    expect(invalidations.calls[0]).toEqual(
      expect.arrayContaining([TAGGING_CACHE_TAGS.cloud, TAGGING_CACHE_TAGS.tag('embargoed')]),
    );
    expect(await cloud()).toEqual([
      ['embargoed', 1],
      ['shared', 2],
    ]);
    expect((await t.client().get('/blog/tag/embargoed')).statusCode).toBe(200);
    expect((await t.client().get('/tags/embargoed')).body).toContain('future');
  });

  it('a save that publishes a draft with the same tags invalidates the cloud; unpublishing too', async () => {
    const input = {
      title: 'Draft',
      slug: 'draft',
      body: 'Body.',
      excerpt: '',
      pubDate: null,
      tags: ['shared', 'unfinished'],
      extra: {},
    };
    await saveEntry(t.site, t.em(), 'draft', { ...input, status: 'live' }, { user: null });
    expect(invalidations.calls.at(-1)).toContain(TAGGING_CACHE_TAGS.cloud);
    expect(await cloud()).toContainEqual(['unfinished', 1]);

    await saveEntry(t.site, t.em(), 'draft', { ...input, status: 'draft' }, { user: null });
    expect(invalidations.calls.at(-1)).toContain(TAGGING_CACHE_TAGS.cloud);
    expect(await cloud()).not.toContainEqual(['unfinished', 1]);
  });

  it('a save that keeps an entry as visible as it was leaves the cloud alone', async () => {
    await saveEntry(
      t.site,
      t.em(),
      'shown',
      {
        title: 'Shown, retitled',
        slug: 'shown',
        body: 'Body.',
        excerpt: '',
        status: 'live',
        pubDate: null,
        tags: ['shared'],
        extra: {},
      },
      { user: null },
    );
    expect(invalidations.calls).toHaveLength(1);
    expect(invalidations.calls[0]).not.toContain(TAGGING_CACHE_TAGS.cloud);
  });
});
