// Issue 18, item 2, on the composed site with its cache: a live entry dated in the future and a
// draft made their tags public — in /tags/api/tags with counts, in the home page's cloud, with
// pages of their own — and the cloud counted more than the tag page listed. Now only what a
// visitor may see counts, and an entry whose date comes appears once `blog:publish-due` runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEntry } from '@tessera/blog/testing';
import type { TestSite } from '@tessera/testing';
import { createDemoSite } from './helpers.ts';

const HOUR = 3_600_000;

let t: TestSite;
let busiest: string;

type CloudJson = { tags: { slug: string; name: string; count: number }[] };
const apiCloud = async () => ((await t.client().get('/tags/api/tags')).json() as CloudJson).tags;
/** The home page's cloud as `[name, count]`. */
const homeCloud = async () =>
  [
    ...(await t.client().get('/')).body.matchAll(
      /rel="tag">([^<]+)<\/a> <span class="tag-count">\((\d+)\)/g,
    ),
  ].map((m) => [m[1], Number(m[2])]);

beforeAll(async () => {
  t = await createDemoSite({ rateLimit: false });
  busiest = (await apiCloud()).reduce((a, b) => (b.count > a.count ? b : a)).slug;
  await makeEntry(t, {
    slug: 'embargoed-announcement',
    title: 'Embargoed announcement',
    pubDate: new Date(Date.now() + HOUR),
    tags: ['Embargoed', busiest],
  });
  await makeEntry(t, {
    slug: 'half-written',
    title: 'Half written',
    status: 'draft',
    tags: ['Unfinished thoughts', busiest],
  });
});
afterAll(() => t?.close());

describe('tags of unpublished entries on the site', () => {
  it('are not in /tags/api/tags nor in the home page’s cloud', async () => {
    const slugs = (await apiCloud()).map((x) => x.slug);
    expect(slugs).not.toContain('embargoed');
    expect(slugs).not.toContain('unfinished-thoughts');
    const names = (await homeCloud()).map(([name]) => name);
    expect(names.length).toBeGreaterThan(0);
    expect(names).not.toContain('Embargoed');
    expect(names).not.toContain('Unfinished thoughts');
  });

  it('every count in the cloud is what the tag’s page lists', async () => {
    for (const tag of await apiCloud()) {
      const page = await t.client().get(`/tags/api/tags/${encodeURIComponent(tag.slug)}`);
      const { sections } = page.json() as { sections: { items: unknown[] }[] };
      expect(
        sections.reduce((n, s) => n + s.items.length, 0),
        tag.slug,
      ).toBe(tag.count);
    }
  });

  it('a tag only they carry has no page', async () => {
    for (const path of [
      '/tags/embargoed',
      '/tags/api/tags/embargoed',
      '/blog/tag/embargoed',
      '/tags/unfinished-thoughts',
      '/blog/tag/unfinished-thoughts',
    ])
      expect((await t.client().get(path)).statusCode, path).toBe(404);
  });

  it('when the date passes, the entry’s tags appear after blog:publish-due runs', async () => {
    const before = (await apiCloud()).find((x) => x.slug === busiest)!.count;
    // The home page and its cloud are cached now.
    expect((await homeCloud()).map(([name]) => name)).not.toContain('Embargoed');
    await t
      .em()
      .execute(
        "update blog_entry set pub_date = now() - interval '1 second' where slug = 'embargoed-announcement'",
      );
    await t.site.jobs.enqueue('blog:publish-due', {});
    expect(await t.site.jobs.drain({ only: 'blog:publish-due' })).toEqual({
      completed: 1,
      failed: 0,
    });
    expect(await homeCloud()).toContainEqual(['Embargoed', 1]);
    const cloud = await apiCloud();
    expect(cloud.find((x) => x.slug === 'embargoed')?.count).toBe(1);
    expect(cloud.find((x) => x.slug === busiest)!.count).toBe(before + 1);
    expect((await t.client().get('/tags/embargoed')).statusCode).toBe(200);
    expect((await t.client().get('/blog/tag/embargoed')).body).toContain('Embargoed announcement');
    // The draft is still a draft.
    expect(cloud.map((x) => x.slug)).not.toContain('unfinished-thoughts');
  });
});
