import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '@tessera/auth';
import { cacheTagsOf, countQueries, defineApp } from '@tessera/core';
import type { TestSite } from '@tessera/testing';
import { archiveMonths, listEntries, type EntrySummary } from '../src/index.ts';
import { asCurrent, blogSite, makeEntry, makeUser, queriesOf, signIn } from './helpers.ts';

const day = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d, 12));

/** Copies each response's cache tags into a header, so tests can read them. */
const cacheTagProbe = defineApp({
  name: 'cache-probe',
  setup(fastify) {
    fastify.addHook('onSend', async function exposeCacheTags(_request, reply) {
      reply.header('x-cache-tags', cacheTagsOf(reply).join(' '));
    });
  },
});

let t: TestSite;
let alice: User;
let draft: EntrySummary;
let scheduled: EntrySummary;
let first: EntrySummary;

beforeAll(async () => {
  t = await blogSite({ paginateBy: 5 }, { apps: [cacheTagProbe()] });
  alice = await makeUser(t, 'alice@example.com', { displayName: 'Alice' });
  await makeUser(t, 'bob@example.com');
  await makeUser(t, 'staff@example.com', { staff: true });
  const author = asCurrent(alice);
  // Twelve public entries: January (5), February (4), March (3) 2024, one a day.
  first = await makeEntry(t, {
    title: 'January 1',
    pubDate: day(2024, 1, 1),
    tags: ['Python', 'web'],
    author,
  });
  for (let d = 2; d <= 5; d += 1) {
    await makeEntry(t, { title: `January ${d}`, pubDate: day(2024, 1, d), tags: ['web'], author });
  }
  for (let d = 1; d <= 4; d += 1) {
    await makeEntry(t, { title: `February ${d}`, pubDate: day(2024, 2, d) });
  }
  for (let d = 1; d <= 3; d += 1) {
    await makeEntry(t, { title: `March ${d}`, pubDate: day(2024, 3, d), tags: ['Python'] });
  }
  draft = await makeEntry(t, {
    title: 'Secret draft',
    status: 'draft',
    pubDate: day(2024, 3, 10),
    tags: ['Python'],
    author,
  });
  scheduled = await makeEntry(t, {
    title: 'Future post',
    pubDate: new Date(Date.now() + 86_400_000),
    tags: ['Python'],
    author,
  });
  await makeEntry(t, { title: 'Only a draft tag', status: 'draft', tags: ['hidden-tag'] });
});
afterAll(() => t?.close());

const titles = (html: string) =>
  [...html.matchAll(/<h2><a href="[^"]+">([^<]+)<\/a><\/h2>/g)].map((m) => m[1]);

describe('entry list', () => {
  it('shows live, published entries newest first, a page at a time', async () => {
    const c = t.client();
    const one = await c.get('/blog/');
    expect(one.statusCode).toBe(200);
    expect(titles(one.body)).toEqual(['March 3', 'March 2', 'March 1', 'February 4', 'February 3']);
    expect(one.body).toContain('Page 1 of 3');
    const three = await c.get('/blog/?page=3');
    expect(titles(three.body)).toEqual(['January 2', 'January 1']);
    expect(three.body).not.toContain('rel="next"');
    for (const r of [one, three]) {
      expect(r.body).not.toContain('Secret draft');
      expect(r.body).not.toContain('Future post');
    }
  });

  it('answers 404 for a page past the last and for a page that is not a number', async () => {
    const c = t.client();
    for (const page of ['4', '0', 'abc', '-1', '1.5']) {
      expect((await c.get(`/blog/?page=${page}`)).statusCode, page).toBe(404);
    }
  });

  it('costs one SQL query whatever the page size', async () => {
    const c = t.client();
    expect(queriesOf(await c.get('/blog/'))).toBe(1);
    expect(queriesOf(await c.get('/blog/?page=3'))).toBe(1);
    for (const perPage of [1, 5, 50]) {
      const { result, queries } = await countQueries(() =>
        listEntries(t.site, t.em(), {}, 1, perPage),
      );
      expect(queries).toBe(1);
      expect(result!.items.length).toBe(Math.min(perPage, 12));
      expect(result!.items[0]!.tags).toEqual([
        { name: 'Python', slug: 'python', url: '/blog/tag/python' },
      ]);
    }
  });

  it('tags the response for the cache app', async () => {
    const res = await t.client().get('/blog/');
    expect(res.headers['x-cache-tags']).toBe('blog:list');
  });

  it('renders the site’s template instead of the blog’s when the site has one', async () => {
    // This site also reads without prepared statements (the option for poolers that drop them).
    const s = await blogSite(
      { detailTemplate: 'blog/site_detail.njk', preparedStatements: false },
      { settings: { templates: new URL('./fixtures/templates/', import.meta.url) } },
    );
    try {
      await makeEntry(s, { title: 'Overridden', slug: 'overridden', pubDate: day(2024, 5, 1) });
      const list = await s.client().get('/blog/');
      expect(list.body).toContain('<ol class="site-list" data-source="site"><li>Overridden</li>');
      const detail = await s.client().get('/blog/2024/05/overridden');
      expect(detail.body).toContain('data-source="site-option">Overridden</div>');
    } finally {
      await s.close();
    }
  });
});

describe('entry detail', () => {
  it('shows the entry with its author, date and tags, and tags the response', async () => {
    const res = await t.client().get(first.url);
    expect(first.url).toBe('/blog/2024/01/january-1');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<h1>January 1</h1>');
    expect(res.body).toContain(`<a href="/blog/author/${alice.id}" rel="author">Alice</a>`);
    expect(res.body).toContain('<a href="/blog/tag/python" rel="tag">Python</a>');
    expect(res.body).toContain('<time datetime="2024-01-01T12:00:00.000Z">1 January 2024</time>');
    expect(res.headers['x-cache-tags']).toBe('blog:entry:january-1');
    expect(res.body).not.toContain('class="entry-admin"');
  });

  it('moves permanently to the entry’s address when the year or month is wrong', async () => {
    const res = await t.client().get('/blog/2023/7/january-1');
    expect(res.statusCode).toBe(301);
    expect(res.headers.location).toBe('/blog/2024/01/january-1');
  });

  it('answers 404 for an unknown slug or a malformed date', async () => {
    const c = t.client();
    expect((await c.get('/blog/2024/01/nope')).statusCode).toBe(404);
    expect((await c.get('/blog/24/01/january-1')).statusCode).toBe(404);
    expect((await c.get('/blog/2024/13/january-1')).statusCode).toBe(404);
  });

  it('is a 404 to the public and to other users for a draft, visible to its author and staff', async () => {
    expect((await t.client().get(draft.url)).statusCode).toBe(404);
    const bob = await signIn(t, 'bob@example.com');
    expect((await bob.get(draft.url)).statusCode).toBe(404);
    const own = await (await signIn(t, 'alice@example.com')).get(draft.url);
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain('Draft: only its author and staff see this page.');
    const staff = await (await signIn(t, 'staff@example.com')).get(draft.url);
    expect(staff.statusCode).toBe(200);
  });

  it('keeps an entry dated in the future from the public until its date', async () => {
    expect((await t.client().get(scheduled.url)).statusCode).toBe(404);
    const own = await (await signIn(t, 'alice@example.com')).get(scheduled.url);
    expect(own.body).toContain('Scheduled: only its author and staff see this page.');
  });
});

describe('archives', () => {
  it('lists a year’s months with their counts and its entries', async () => {
    const res = await t.client().get('/blog/archive/2024');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<a href="/blog/archive/2024/01">January 2024</a> (5)');
    expect(res.body).toContain('<a href="/blog/archive/2024/03">March 2024</a> (3)');
    expect(titles(res.body)).toHaveLength(5);
    expect(res.headers['x-cache-tags']).toBe('blog:list');
  });

  it('lists a month’s entries with links to the months around it', async () => {
    const res = await t.client().get('/blog/archive/2024/02');
    expect(res.statusCode).toBe(200);
    expect(titles(res.body)).toEqual(['February 4', 'February 3', 'February 2', 'February 1']);
    expect(res.body).toContain('<a href="/blog/archive/2024/01" rel="prev">January 2024</a>');
    expect(res.body).toContain('<a href="/blog/archive/2024/03" rel="next">March 2024</a>');
    const march = await t.client().get('/blog/archive/2024/3');
    expect(titles(march.body)).toEqual(['March 3', 'March 2', 'March 1']);
    expect(march.body).not.toContain('rel="next"');
  });

  it('answers the newest months with public entries for a sidebar, in one query', async () => {
    const { result: months, queries } = await countQueries(() => archiveMonths(t.site, t.em(), 2));
    expect(queries).toBe(1);
    expect(months).toEqual([
      {
        year: 2024,
        month: 3,
        count: 3,
        date: new Date(Date.UTC(2024, 2, 1)),
        url: '/blog/archive/2024/03',
      },
      {
        year: 2024,
        month: 2,
        count: 4,
        date: new Date(Date.UTC(2024, 1, 1)),
        url: '/blog/archive/2024/02',
      },
    ]);
  });

  it('answers 404 for an empty archive and for dates that do not exist', async () => {
    const c = t.client();
    for (const path of [
      '/blog/archive/2023',
      '/blog/archive/2024/04',
      '/blog/archive/2024/13',
      '/blog/archive/2024/00',
      '/blog/archive/0000',
      '/blog/archive/20x4',
      '/blog/archive/2024/ab',
    ]) {
      expect((await c.get(path)).statusCode, path).toBe(404);
    }
  });
});

describe('tag and author pages', () => {
  it('lists the public entries with a tag, newest first', async () => {
    const res = await t.client().get('/blog/tag/python');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Entries tagged “Python”');
    expect(titles(res.body)).toEqual(['March 3', 'March 2', 'March 1', 'January 1']);
    expect(res.headers['x-cache-tags']).toBe('blog:list tagging:tag:python');
  });

  it('answers 404 for a tag only unpublished entries carry, as for an unknown tag', async () => {
    expect((await t.client().get('/blog/tag/hidden-tag')).statusCode).toBe(404);
    expect((await t.client().get('/blog/tag/no-such-tag')).statusCode).toBe(404);
  });

  it('lists an author’s public entries under their name, never their email', async () => {
    const res = await t.client().get(`/blog/author/${alice.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Entries by Alice');
    expect(titles(res.body)).toEqual([
      'January 5',
      'January 4',
      'January 3',
      'January 2',
      'January 1',
    ]);
    expect(res.body).not.toContain('alice@example.com');
  });

  it('shows an empty page for a user without entries and a 404 for an unknown one', async () => {
    const bob = await t
      .em()
      .execute<{ id: number }[]>("select id from auth_user where email = 'bob@example.com'");
    const res = await t.client().get(`/blog/author/${bob[0]!.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Entries by bob');
    expect((await t.client().get('/blog/author/999999')).statusCode).toBe(404);
    expect((await t.client().get('/blog/author/abc')).statusCode).toBe(404);
  });

  it('puts public entries on tagging’s own tag page, drafts left out', async () => {
    const res = await t.client().get('/tags/python');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).toContain('Blog entries');
    expect(res.body).toContain('href="/blog/2024/03/march-3"');
    expect(res.body).not.toContain('Secret draft');
    expect(res.body).not.toContain('Future post');
  });
});
