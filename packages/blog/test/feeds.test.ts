import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSite } from '@tessera/testing';
import { blogSite, makeEntry } from './helpers.ts';
import { all, one, parseXml, type XmlElement } from './xml.ts';

const XSS_TITLE = '<script>alert("title")</script> & friends';
const XSS_BODY = 'Safe text.\n\n<script>alert("body")</script>\n\n<img src="x" onerror="alert(1)">';
const XSS_TAG = '<img src=x onerror=alert(1)>';

let t: TestSite;
beforeAll(async () => {
  t = await blogSite({ feedItems: 3, feedDescription: 'Notes & news' });
  for (let d = 1; d <= 4; d += 1) {
    await makeEntry(t, {
      title: `Entry ${d}`,
      slug: `entry-${d}`,
      pubDate: new Date(Date.UTC(2024, 0, d)),
      tags: ['news'],
    });
  }
  await makeEntry(t, {
    title: XSS_TITLE,
    slug: 'hostile',
    body: XSS_BODY,
    pubDate: new Date(Date.UTC(2024, 1, 1)),
    tags: [XSS_TAG, 'news'],
  });
  await makeEntry(t, { title: 'A draft', slug: 'a-draft', status: 'draft' });
});
afterAll(() => t?.close());

const get = (url: string, host = 'blog.example.net') =>
  t.app.inject({ method: 'GET', url, headers: { host } });

const texts = (els: XmlElement[]) => els.map((e) => e.text);

describe('Atom feed', () => {
  it('is well-formed Atom 1.0 with the newest live entries and absolute links', async () => {
    const res = await get('/blog/feed/atom.xml');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
    const feed = parseXml(res.body);
    expect(feed.name).toBe('feed');
    expect(feed.attrs.xmlns).toBe('http://www.w3.org/2005/Atom');
    expect(one(feed, 'id').text).toBe('http://blog.example.net/blog');
    expect(one(feed, 'title').text).toBe('Tessera');
    expect(one(feed, 'subtitle').text).toBe('Notes & news');
    expect(one(feed, 'updated').text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    const self = all(feed, 'link').find((l) => l.attrs.rel === 'self');
    expect(self?.attrs.href).toBe('http://blog.example.net/blog/feed/atom.xml');
    const entries = all(feed, 'entry');
    expect(entries).toHaveLength(3);
    expect(entries.map((e) => one(e, 'id').text)).toEqual([
      'http://blog.example.net/blog/2024/02/hostile',
      'http://blog.example.net/blog/2024/01/entry-4',
      'http://blog.example.net/blog/2024/01/entry-3',
    ]);
    for (const e of entries) {
      expect(one(e, 'link').attrs.href).toBe(one(e, 'id').text);
      expect(one(e, 'updated').text).toMatch(/^\d{4}-/);
      expect(one(e, 'published').text).toMatch(/^\d{4}-/);
      expect(one(e, 'content').attrs.type).toBe('html');
      expect(all(e, 'category').map((c) => c.attrs.term)).toContain('news');
    }
    expect(res.body).not.toContain('A draft');
  });

  it('escapes hostile titles and tags and carries only sanitised HTML', async () => {
    const feed = parseXml((await get('/blog/feed/atom.xml')).body);
    const hostile = all(feed, 'entry')[0]!;
    const title = one(hostile, 'title');
    // type="html": readers decode it as HTML, so the markup must arrive as text.
    expect(title.attrs.type).toBe('html');
    expect(title.text).toBe('&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt; &amp; friends');
    const content = one(hostile, 'content').text;
    expect(content).toContain('<p>Safe text.</p>');
    expect(content).not.toMatch(/<script|onerror|alert\("body"\)/);
    expect(all(hostile, 'category').map((c) => c.attrs.term)).toEqual([
      'img-src-x-onerror-alert-1',
      'news',
    ]);
  });
});

describe('RSS feed', () => {
  it('is well-formed RSS 2.0 with the newest live entries', async () => {
    const res = await get('/blog/feed/rss.xml');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/rss+xml; charset=utf-8');
    const rss = parseXml(res.body);
    expect(rss.name).toBe('rss');
    expect(rss.attrs.version).toBe('2.0');
    const channel = one(rss, 'channel');
    expect(one(channel, 'title').text).toBe('Tessera');
    expect(one(channel, 'link').text).toBe('http://blog.example.net/blog');
    expect(one(channel, 'description').text).toBe('Notes & news');
    const items = all(channel, 'item');
    expect(items).toHaveLength(3);
    expect(texts(items.map((i) => one(i, 'link')))).toEqual([
      'http://blog.example.net/blog/2024/02/hostile',
      'http://blog.example.net/blog/2024/01/entry-4',
      'http://blog.example.net/blog/2024/01/entry-3',
    ]);
    for (const i of items) {
      expect(one(i, 'pubDate').text).toMatch(/^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$/);
      expect(one(i, 'guid').text).toBe(one(i, 'link').text);
    }
    expect(one(items[1]!, 'title').text).toBe('Entry 4');
  });

  it('escapes hostile titles, excerpts and tags', async () => {
    const channel = one(parseXml((await get('/blog/feed/rss.xml')).body), 'channel');
    const hostile = all(channel, 'item')[0]!;
    expect(one(hostile, 'title').text).not.toContain('<script');
    expect(one(hostile, 'description').text).not.toMatch(/<script|<img/);
    expect(texts(all(hostile, 'category'))).toEqual([XSS_TAG, 'news']);
  });
});

describe('sitemap', () => {
  it('lists the blog and every public entry with absolute URLs and last changes', async () => {
    const res = await get('/blog/sitemap.xml');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
    const urlset = parseXml(res.body);
    expect(urlset.name).toBe('urlset');
    expect(urlset.attrs.xmlns).toBe('http://www.sitemaps.org/schemas/sitemap/0.9');
    const urls = all(urlset, 'url');
    expect(texts(urls.map((u) => one(u, 'loc')))).toEqual([
      'http://blog.example.net/blog',
      'http://blog.example.net/blog/2024/02/hostile',
      'http://blog.example.net/blog/2024/01/entry-4',
      'http://blog.example.net/blog/2024/01/entry-3',
      'http://blog.example.net/blog/2024/01/entry-2',
      'http://blog.example.net/blog/2024/01/entry-1',
    ]);
    for (const u of urls) expect(one(u, 'lastmod').text).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
});

describe('a Host header that makes no address', () => {
  it('answers 400 from the feeds and the sitemap rather than failing', async () => {
    for (const url of ['/blog/feed/atom.xml', '/blog/feed/rss.xml', '/blog/sitemap.xml']) {
      const res = await t.app.inject({ url, headers: { host: 'localhost:99999' } });
      expect(res.statusCode, url).toBe(400);
    }
  });
});

describe('feed options', () => {
  it('uses siteUrl and feedTitle when set, whatever host the request names', async () => {
    const s = await blogSite({ siteUrl: 'https://example.org', feedTitle: 'Field <notes>' });
    try {
      await makeEntry(s, { title: 'Only', slug: 'only', pubDate: new Date(Date.UTC(2024, 4, 2)) });
      const res = await s.app.inject({
        url: '/blog/feed/atom.xml',
        headers: { host: 'evil.test' },
      });
      const feed = parseXml(res.body);
      expect(one(feed, 'title').text).toBe('Field <notes>');
      expect(one(one(feed, 'entry'), 'id').text).toBe('https://example.org/blog/2024/05/only');
      const empty = await blogSite();
      try {
        const rss = parseXml((await empty.app.inject({ url: '/blog/feed/rss.xml' })).body);
        expect(all(one(rss, 'channel'), 'item')).toHaveLength(0);
      } finally {
        await empty.close();
      }
    } finally {
      await s.close();
    }
  });

  it('refuses a siteUrl that is not an origin at boot, naming the option', async () => {
    await expect(blogSite({ siteUrl: 'example.org/blog' })).rejects.toThrow(
      /App 'blog': option 'siteUrl'/,
    );
  });
});

describe('the XML reader the tests use', () => {
  it('rejects XML that is not well-formed', () => {
    for (const bad of [
      '<a><b></a></b>',
      '<a x="<">1</a>',
      '<a>&</a>',
      '<a>1</a><b/>',
      '<a x=1/>',
      '<a>',
      'text<a/>',
    ]) {
      expect(() => parseXml(bad), bad).toThrow();
    }
    expect(parseXml('<?xml version="1.0"?><a x="&amp;"><![CDATA[<b>]]>&#65;</a>')).toEqual({
      name: 'a',
      attrs: { x: '&' },
      children: [],
      text: '<b>A',
    });
  });
});
