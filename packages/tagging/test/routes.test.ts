import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSite, type TestSite } from '@tessera/testing';
import { getTagging, tagging as taggingApp, type Tagging } from '../src/index.ts';
import { library } from './fixtures/library.ts';
import { Book, makeBooks, makePhotos, taggingSite } from './helpers.ts';

let t: TestSite;
let tagging: Tagging;

beforeAll(async () => {
  t = await taggingSite({ itemsPerType: 2 });
  tagging = t.app.tagging;
  const books = await makeBooks(t, 3);
  const [draft] = await makeBooks(t, 1, false);
  const photos = await makePhotos(t, 'Sunset <over> the bay', 'Harbour');
  await tagging.setTags(t.em(), books[0]!, ['Python', 'web dev']);
  await tagging.setTags(t.em(), books[1]!, ['Python']);
  await tagging.setTags(t.em(), books[2]!, ['Python']);
  await tagging.setTags(t.em(), draft!, ['Python']);
  await tagging.setTags(t.em(), photos[0]!, ['Python', '<b>bold</b>']);
  await tagging.setTags(t.em(), photos[1]!, ['harbour']);
  // A type no app registered: tagged, but counted and shown nowhere.
  await tagging.setTags(t.em(), { type: 'elsewhere_thing', id: 1 }, ['Python']);
  // A book that is gone: its tag is carried by nothing a visitor may see.
  await tagging.setTags(t.em(), { type: 'library_book', id: 999 }, ['ghost']);
});
afterAll(() => t.close());

describe('tagging:tag-list', () => {
  it('lists the tags of what a visitor may see by name, with counts and cloud weights', async () => {
    const res = await t.client().get('/tags');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    const items = [
      ...res.body.matchAll(
        /<li class="tag tag-weight-(\d)"><a href="([^"]+)" rel="tag">([^<]+)<\/a> <span class="tag-count">\((\d+)\)/g,
      ),
    ].map((m) => ({ weight: Number(m[1]), url: m[2], name: m[3], count: Number(m[4]) }));
    // Python: three published books and a photo — not the draft, nor the unregistered type.
    expect(items).toEqual([
      { weight: 1, url: '/tags/b-bold-b', name: '&lt;b&gt;bold&lt;/b&gt;', count: 1 },
      { weight: 1, url: '/tags/harbour', name: 'harbour', count: 1 },
      { weight: 4, url: '/tags/python', name: 'Python', count: 4 },
      { weight: 1, url: '/tags/web-dev', name: 'web dev', count: 1 },
    ]);
    expect(t.site.url('tagging:tag-list')).toBe('/tags');
  });

  it('answers the same as JSON', async () => {
    const res = await t.client().get('/tags/api/tags');
    expect(res.statusCode).toBe(200);
    const body = res.json() as {
      tags: { name: string; slug: string; count: number; weight: number; url: string }[];
    };
    expect(body.tags.find((x) => x.slug === 'python')).toEqual({
      name: 'Python',
      slug: 'python',
      count: 4,
      weight: 4,
      url: '/tags/python',
    });
    expect(body.tags).toHaveLength(4);
  });
});

describe('tagging:tag-detail', () => {
  it('lists tagged items of both apps, newest first, per type up to itemsPerType, without drafts', async () => {
    const res = await t.client().get(t.site.url('tagging:tag-detail', { slug: 'python' }));
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Tagged “Python”');
    const sections = [
      ...res.body.matchAll(
        /<section class="tagged-items" data-type="([^"]+)">\s*<h2>([^<]+)<\/h2>([\s\S]*?)<\/section>/g,
      ),
    ].map((m) => ({
      type: m[1],
      label: m[2],
      links: [...m[3]!.matchAll(/<a href="([^"]+)">([^<]+)<\/a>/g)].map((l) => [l[1], l[2]]),
    }));
    // Books: the draft is the newest tagged but not visible, so two published ones per type.
    expect(sections).toEqual([
      {
        type: 'library_book',
        label: 'Books',
        links: [
          ['/books/3', 'Book 3'],
          ['/books/2', 'Book 2'],
        ],
      },
      {
        type: 'gallery_photo',
        label: 'Photos',
        links: [['/photos/1', 'Sunset &lt;over&gt; the bay']],
      },
    ]);
    expect(res.body).not.toContain('elsewhere_thing');
  });

  it('answers the same as JSON', async () => {
    const res = await t.client().get('/tags/api/tags/python');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      tag: { name: 'Python', slug: 'python', url: '/tags/python' },
      sections: [
        {
          type: 'library_book',
          label: 'Books',
          items: [
            { id: 3, title: 'Book 3', url: '/books/3' },
            { id: 2, title: 'Book 2', url: '/books/2' },
          ],
        },
        {
          type: 'gallery_photo',
          label: 'Photos',
          items: [{ id: 1, title: 'Sunset <over> the bay', url: '/photos/1' }],
        },
      ],
    });
  });

  it('answers 404 for a tag whose items are gone, as a page and as JSON', async () => {
    expect((await t.client().get('/tags/ghost')).statusCode).toBe(404);
    expect((await t.client().get('/tags/api/tags/ghost')).statusCode).toBe(404);
    expect((await t.client().get('/tags/Ghost')).statusCode).toBe(404);
  });

  it('sends another spelling of a slug to the canonical address', async () => {
    const res = await t.client().get('/tags/Python');
    expect(res.statusCode).toBe(301);
    expect(res.headers.location).toBe('/tags/python');
  });

  it('answers 404 for an unknown tag, as a page and as a problem body', async () => {
    expect((await t.client().get('/tags/no-such-tag')).statusCode).toBe(404);
    expect((await t.client().get('/tags/No-Such-Tag')).statusCode).toBe(404);
    const res = await t.client().get('/tags/api/tags/no-such-tag');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 404, code: 'TESSERA_NOT_FOUND' });
  });

  it('serves a non-Latin slug', async () => {
    await tagging.setTags(t.em(), { type: 'gallery_photo', id: 2 }, ['日本語']);
    const res = await t.client().get(t.site.url('tagging:tag-detail', { slug: '日本語' }));
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Harbour');
  });
});

describe('overrides and registration', () => {
  it('a site template overrides a tag page, and the listTemplate option picks another', async () => {
    const site = await createTestSite({
      apps: [taggingApp({ listTemplate: 'site/tags.njk' }), library()],
      routes: { mounts: { tagging: '/topics' } },
      settings: { templates: new URL('./fixtures/site-templates/', import.meta.url) },
    });
    try {
      const [book] = await makeBooks(site, 1);
      await site.app.tagging.setTags(site.em(), book!, ['One']);
      const page = await site.client().get('/topics/one');
      expect(page.body).toContain('<h1 class="site-override">Everything about One</h1>');
      const list = await site.client().get('/topics');
      expect(list.body).toContain('<ol class="site-tags"><li>One=1</li></ol>');
      expect(site.site.url('tagging:tag-detail', { slug: 'one' })).toBe('/topics/one');
    } finally {
      await site.close();
    }
  });

  it('a template option may be a function of the request', async () => {
    const site = await createTestSite({
      apps: [
        taggingApp({
          listTemplate: (request) =>
            (request.query as { site?: string }).site ? 'site/tags.njk' : 'tagging/tag_list.njk',
        }),
        library(),
      ],
      settings: { templates: new URL('./fixtures/site-templates/', import.meta.url) },
    });
    try {
      const [book] = await makeBooks(site, 1);
      await site.app.tagging.setTags(site.em(), book!, ['One']);
      expect((await site.client().get('/tagging?site=1')).body).toContain('class="site-tags"');
      expect((await site.client().get('/tagging')).body).not.toContain('class="site-tags"');
    } finally {
      await site.close();
    }
  });

  it('refuses at boot a template option no template answers, naming the closest', async () => {
    await expect(
      createTestSite({
        apps: [taggingApp({ detailTemplate: 'tagging/tag_detial.njk' })],
      }),
    ).rejects.toThrow(
      /tessera\.E009: App 'tagging': option 'detailTemplate' names template 'tagging\/tag_detial\.njk'[\s\S]*Did you mean 'tagging\/tag_detail\.njk'/,
    );
  });

  it('refuses at boot, from untyped settings, an option key it does not have', async () => {
    const untyped = { listTemplates: 'x.njk' } as Record<string, unknown>;
    await expect(createTestSite({ apps: [taggingApp(untyped)] })).rejects.toThrow(
      /tessera\.E005: App 'tagging': 'listTemplates' is not an option of this app\.[\s\S]*listTemplate/,
    );
  });

  it('refuses to register an entity type twice', () => {
    expect(() =>
      tagging.register({
        type: Book,
        label: 'Again',
        load: async () => [],
        visible: (db) => db.selectFrom('library_book').select('id'),
      }),
    ).toThrowError(expect.objectContaining({ code: 'TESSERA_TAGGING_DUPLICATE_TAGGABLE' }));
    expect(tagging.taggables.map((x) => x.type)).toEqual(['library_book', 'gallery_photo']);
  });

  it('a site without the tagging app has no tagging service, and says so', async () => {
    const bare = await createTestSite({ apps: [] });
    try {
      expect(() => getTagging(bare.site)).toThrowError(
        expect.objectContaining({ code: 'TESSERA_APP_NOT_INSTALLED' }),
      );
      expect(getTagging(t.site)).toBe(tagging);
    } finally {
      await bare.close();
    }
  });

  it('an app that needs tagging fails at boot when the site does not install it', async () => {
    await expect(createTestSite({ apps: [library()] })).rejects.toThrow(
      "tessera.E003: App 'library' depends on app 'tagging', which is not installed.",
    );
  });
});
