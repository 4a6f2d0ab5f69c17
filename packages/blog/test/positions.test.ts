// Deep list pages by position: the first pages by number, older ones as "entries older than
// this one" (one index range, whatever the depth), and old page numbers redirecting there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestClient, TestSite } from '@tessera/testing';
import { blogSite, makeEntry, queriesOf } from './helpers.ts';

let t: TestSite;

/** Nine public entries, newest first; three share one publication date to the microsecond. */
const NEWEST_FIRST = ['E9', 'E8', 'E7', 'E6', 'E5', 'E4', 'E3', 'E2', 'E1'];

beforeAll(async () => {
  // Two entries a page, pages 1 and 2 by number.
  t = await blogSite({ paginateBy: 2, numberedPages: 2 });
  const at = (n: number) => new Date(Date.UTC(2024, 0, n, 12));
  for (let n = 1; n <= 9; n += 1) {
    // E4, E5 and E6 at the same moment: their order is by id.
    await makeEntry(t, { title: `E${n}`, pubDate: at(n >= 4 && n <= 6 ? 4 : n), tags: ['walk'] });
  }
  await makeEntry(t, { title: 'A draft', status: 'draft', pubDate: at(8), tags: ['walk'] });
  // Microseconds a JavaScript Date cannot hold: a cursor must keep them.
  await t
    .em()
    .execute(
      `update blog_entry set pub_date = pub_date + interval '123457 microseconds' where title in ('E4', 'E5', 'E6')`,
    );
});
afterAll(() => t?.close());

const titles = (html: string) =>
  [...html.matchAll(/<h2><a href="[^"]+">([^<]+)<\/a><\/h2>/g)].map((m) => m[1]);

/** Follows `rel` links from `path` to the end: each page's titles and address. */
async function walk(c: TestClient, base: string, path: string, rel: 'next' | 'prev') {
  const pages: { path: string; titles: string[]; queries: number; body: string }[] = [];
  for (let next: string | undefined = path; next;) {
    const res = await c.get(next);
    expect(res.statusCode, next).toBe(200);
    pages.push({
      path: next,
      titles: titles(res.body) as string[],
      queries: queriesOf(res),
      body: res.body,
    });
    const href = hrefOf(res.body, rel);
    next = href === undefined ? undefined : `${base}${href}`;
    expect(pages.length).toBeLessThan(20);
  }
  return pages;
}

function hrefOf(html: string, rel: 'next' | 'prev'): string | undefined {
  const m = new RegExp(`<a href="([^"]+)" rel="${rel}">`).exec(html);
  return m?.[1]?.replaceAll('&amp;', '&');
}

describe('list pages by position', () => {
  it('following "Older entries" from page 1 shows every public entry once, in order, one query a page', async () => {
    const pages = await walk(t.client(), '/blog/', '/blog/', 'next');
    expect(pages.flatMap((p) => p.titles)).toEqual(NEWEST_FIRST);
    expect(pages.map((p) => p.path.replace(/before=[^&]+/, 'before=…'))).toEqual([
      '/blog/',
      '/blog/?page=2',
      '/blog/?before=…',
      '/blog/?before=…',
      '/blog/?before=…',
    ]);
    for (const p of pages) expect(p.queries, p.path).toBe(1);
    expect(pages[1]!.body).toContain('Page 2 of 5');
    // A page by position names no number.
    expect(pages[2]!.body).not.toContain('Page 3 of');
    expect(pages.at(-1)!.titles).toEqual(['E1']);
  });

  it('following "Newer entries" back from the last page shows the same entries, newest first again', async () => {
    const older = await walk(t.client(), '/blog/', '/blog/', 'next');
    const newer = await walk(t.client(), '/blog/', older.at(-1)!.path, 'prev');
    expect(newer.toReversed().flatMap((p) => p.titles)).toEqual(NEWEST_FIRST);
    expect(newer.at(-1)!.titles).toEqual(['E9', 'E8']);
    for (const p of newer) expect(p.queries, p.path).toBe(1);
  });

  it('an old page number past the numbered ones moves permanently to its position, with the same entries', async () => {
    const c = t.client();
    const res = await c.get('/blog/?page=4');
    expect(res.statusCode).toBe(301);
    expect(res.headers.location).toMatch(/^\/blog\/\?before=2024-01-04T12:00:00\.123457Z_\d+$/);
    const page = await c.get(res.headers.location as string);
    expect(titles(page.body)).toEqual(['E3', 'E2']);
    expect((await c.get('/blog/?page=5')).headers.location).toBeDefined();
    expect((await c.get('/blog/?page=6')).statusCode).toBe(404);
  });

  it('tag pages walk the same way', async () => {
    const pages = await walk(t.client(), '/blog/tag/walk', '/blog/tag/walk', 'next');
    expect(pages.flatMap((p) => p.titles)).toEqual(NEWEST_FIRST);
    for (const p of pages) expect(p.queries, p.path).toBe(1);
  });

  it('answers 404 for a malformed or contradictory position, and for one with nothing beyond it', async () => {
    const c = t.client();
    const last = (await walk(c, '/blog/', '/blog/', 'next')).at(-1)!;
    const oldest = /before=([^&"]+)/.exec(last.path)![1]!;
    for (const query of [
      'before=yesterday',
      'before=2024-01-04T12:00:00Z',
      'before=2024-01-04T12:00:00Z_0',
      'before=2024-13-45T12:00:00Z_3',
      'before=2024-01-04T12:00:00Z_99999999999',
      'before=2024-01-04T12:00:00Z_3&after=2024-01-04T12:00:00Z_3',
      'page=2&before=2024-01-04T12:00:00Z_3',
      'before=2024-01-04T12:00:00Z_3&before=2024-01-05T12:00:00Z_3',
      'before=1999-01-01T00:00:00Z_1',
    ]) {
      expect((await c.get(`/blog/?${query}`)).statusCode, query).toBe(404);
    }
    // The oldest entry's position has nothing older.
    const e1 = await c.get(`/blog/${last.path.slice('/blog/'.length)}`);
    expect(titles(e1.body)).toEqual(['E1']);
    expect(hrefOf(e1.body, 'next')).toBeUndefined();
    expect(oldest).toBeTruthy();
  });
});
