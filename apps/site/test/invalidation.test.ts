// The composed site with the cache: the blog and tagging name their own cache tags and invalidate
// them once per change, after the commit — the cache app knows none of their names.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listEntries } from '@tessera/blog';
import type { TestClient, TestSite } from '@tessera/testing';
import { createDemoSite, signedInEditor } from './helpers.ts';

let t: TestSite;
let editor: TestClient;

beforeAll(async () => {
  t = await createDemoSite({ rateLimit: false });
  editor = await signedInEditor(t);
});
afterAll(() => t?.close());

/** Asks twice, so the second answer comes from the cache when the page may be stored. */
async function cached(path: string): Promise<void> {
  await t.client().get(path);
  expect((await t.client().get(path)).headers['x-cache'], path).toBe('HIT');
}

describe('one change, one invalidation', () => {
  it('an entry saved in the editor invalidates once, and every page showing it shows the change', async () => {
    const entry = (await listEntries(t.site, t.em(), {}, 1))!.items[0]!;
    const tag = entry.tags[0]!.slug;
    for (const path of ['/', '/blog', entry.url, `/blog/tag/${tag}`]) await cached(path);

    const before = t.app.cache.stats().invalidations;
    const saved = await editor.post(`/blog/edit/${entry.slug}`, {
      title: 'Retitled once',
      slug: entry.slug,
      body: 'A new body.',
      excerpt: '',
      status: 'live',
      pubDate: '',
      tags: [...entry.tags.map((x) => x.name), 'Brand new tag'].join(', '),
    });
    expect(saved.statusCode, saved.body.slice(0, 300)).toBe(303);
    expect(t.app.cache.stats().invalidations - before).toBe(1);

    for (const path of ['/', '/blog', saved.headers.location as string, `/blog/tag/${tag}`]) {
      const page = await t.client().get(path);
      expect(page.headers['x-cache'], path).toBe('MISS');
      expect(page.body, path).toContain('Retitled once');
    }
    // Tagging's pages (not cached unless the site caches every page) show it too.
    expect((await t.client().get(`/tags/${tag}`)).body).toContain('Retitled once');
    expect((await t.client().get('/tags')).body).toContain('Brand new tag');
  });

  it('an entry deleted in the editor invalidates once', async () => {
    const entry = (await listEntries(t.site, t.em(), {}, 1))!.items[0]!;
    await cached('/blog');
    const before = t.app.cache.stats().invalidations;
    const res = await editor.post(`/blog/delete/${entry.slug}`, {});
    expect(res.statusCode).toBe(303);
    expect(t.app.cache.stats().invalidations - before).toBe(1);
    expect((await t.client().get('/blog')).body).not.toContain(`>${entry.title}<`);
  });
});
