// Scheduled publishing: a live entry dated in the future goes live when its date comes — the
// `blog:publish-due` schedule fires `blog:entry-published` and invalidates the pages that list it,
// exactly once, however many workers or drains run it, and re-dating or unpublishing the entry
// never fires it twice.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSite, type EntityManager } from '@tessera/core';
import {
  fakeInvalidations,
  recordHook,
  type InvalidationsFake,
  type TestSite,
} from '@tessera/testing';
import {
  BLOG_CACHE_TAGS,
  PUBLISH_DUE_SCHEDULE,
  publishDue,
  saveEntry,
  type EntryInput,
} from '../src/index.ts';
import { blogSite, makeEntry } from './helpers.ts';

let t: TestSite;
let invalidations: InvalidationsFake;

beforeAll(async () => {
  t = await blogSite();
});
afterAll(() => t?.close());
beforeEach(() => {
  invalidations?.restore();
  invalidations = fakeInvalidations(t.site);
});

const HOUR = 3_600_000;
/** An hour from now: shortly in the future. */
const soon = () => new Date(Date.now() + HOUR);

/** The clock moves on: the entry's publication date is now behind us. */
async function dateComes(slug: string): Promise<void> {
  await t
    .em()
    .getConnection()
    .execute("update blog_entry set pub_date = now() - interval '1 second' where slug = ?", [slug]);
}

/** Runs the schedule's job as a worker would: queued (as the schedule does), then drained. */
async function runSchedule(times = 1) {
  for (let i = 0; i < times; i++) await t.site.jobs.enqueue('blog:publish-due', {});
  return t.site.jobs.drain({ only: 'blog:publish-due' });
}

/** Re-saves entry `slug` with some of its input changed. */
function resave(slug: string, over: Partial<EntryInput>) {
  return saveEntry(
    t.site,
    t.em(),
    slug,
    {
      title: slug,
      slug,
      body: 'Body.',
      excerpt: '',
      status: 'live',
      pubDate: soon(),
      tags: ['later'],
      extra: {},
      ...over,
    },
    { user: null },
  );
}

/** The calls that invalidated the blog's lists. */
const listInvalidations = () => invalidations.calls.filter((c) => c.includes(BLOG_CACHE_TAGS.list));

describe('blog:publish-due', () => {
  it('is a schedule every minute', () => {
    const job = t.site.jobs.list().find((j) => j.name === 'blog:publish-due');
    expect(job?.schedule?.cron).toBe(PUBLISH_DUE_SCHEDULE);
    expect(PUBLISH_DUE_SCHEDULE).toBe('* * * * *');
  });

  it('fires blog:entry-published and invalidates the lists once, when a future date comes', async () => {
    const published = recordHook(t.site.hooks, 'blog:entry-published');
    const entry = await makeEntry(t, { slug: 'future', pubDate: soon(), tags: ['later'] });
    // Saved live but dated later: not announced, and not in the public list.
    expect(published).toEqual([]);
    expect((await t.client().get('/blog')).body).not.toMatch(/\/future"/);
    invalidations.calls.length = 0;

    expect(await runSchedule()).toEqual({ completed: 1, failed: 0 });
    expect(published).toEqual([]);
    expect(invalidations.calls).toEqual([]);

    await dateComes('future');
    // Two runs queued at once, and two drains: one announcement.
    expect(await runSchedule(2)).toEqual({ completed: 2, failed: 0 });
    expect(await runSchedule()).toEqual({ completed: 1, failed: 0 });
    expect(published.map((p) => p.entry)).toEqual([
      expect.objectContaining({ id: entry.id, slug: 'future', status: 'live', tags: ['later'] }),
    ]);
    expect(invalidations.calls).toHaveLength(1);
    expect(invalidations.calls[0]).toEqual(
      expect.arrayContaining([
        BLOG_CACHE_TAGS.list,
        BLOG_CACHE_TAGS.feeds,
        BLOG_CACHE_TAGS.entry('future'),
        'tagging:tag:later',
      ]),
    );
    expect((await t.client().get('/blog')).body).toMatch(/\/future"/);
  });

  it('announces each entry once when two workers run it at the same time', async () => {
    const slugs = ['twin-1', 'twin-2', 'twin-3', 'twin-4', 'twin-5'];
    for (const slug of slugs) {
      await makeEntry(t, { slug, pubDate: soon() });
      await dateComes(slug);
    }
    invalidations.calls.length = 0;
    // A second process: its own site, ORM and hooks on the same database.
    const other = await createSite(t.site.settings);
    try {
      const here = recordHook(t.site.hooks, 'blog:entry-published');
      const there = recordHook(other.tessera.hooks, 'blog:entry-published');
      const otherInvalidations = fakeInvalidations(other.tessera);
      const [a, b] = await Promise.all([
        publishDue(t.site, t.em()),
        publishDue(other.tessera, other.tessera.orm.em.fork() as EntityManager),
      ]);
      expect([...a.published, ...b.published].sort()).toEqual(slugs);
      expect([...here, ...there].map((p) => p.entry.slug).sort()).toEqual(slugs);
      const lists = [...invalidations.calls, ...otherInvalidations.calls].filter((c) =>
        c.includes(BLOG_CACHE_TAGS.list),
      );
      expect(lists.length).toBe([a, b].filter((r) => r.due.length).length);
      expect(await publishDue(t.site, t.em())).toEqual({ due: [], published: [] });
    } finally {
      await other.close();
    }
  });

  it('re-dating or unpublishing a waiting entry never fires it twice', async () => {
    const published = recordHook(t.site.hooks, 'blog:entry-published');
    await makeEntry(t, { slug: 'moving', pubDate: soon(), tags: ['later'] });
    // Re-dated further away, then back to a draft: its date comes, and nothing is announced.
    await resave('moving', { pubDate: new Date(Date.now() + 2 * HOUR) });
    await resave('moving', { status: 'draft' });
    await dateComes('moving');
    invalidations.calls.length = 0;
    await runSchedule();
    expect(published).toEqual([]);
    expect(invalidations.calls).toEqual([]);

    // Live again with its date passed: announced by the save itself, and not by the schedule.
    await resave('moving', { pubDate: new Date(Date.now() - HOUR) });
    await runSchedule(2);
    expect(published.map((p) => p.entry.slug)).toEqual(['moving']);
  });

  it('a live entry re-dated into the future has its lists invalidated when the date comes, without a second announcement', async () => {
    const published = recordHook(t.site.hooks, 'blog:entry-published');
    await makeEntry(t, { slug: 'again', tags: ['later'] });
    expect(published.map((p) => p.entry.slug)).toEqual(['again']);
    await resave('again', { pubDate: soon() });
    await dateComes('again');
    invalidations.calls.length = 0;
    await runSchedule(2);
    expect(published.map((p) => p.entry.slug)).toEqual(['again']);
    expect(listInvalidations()).toHaveLength(1);
    expect(listInvalidations()[0]).toContain(BLOG_CACHE_TAGS.entry('again'));
  });
});
