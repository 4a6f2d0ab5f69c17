// Issue 18, item 2: unpublished work leaked through tags — the cloud, its JSON and tag pages
// counted and named tags that only hidden items carried. Each registered type now says what a
// visitor may see (`visible`), and every visitor's read counts only that.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineApp } from '@tessera/core';
import { countQueries, createTestSite, type TestSite } from '@tessera/testing';
import { registerTaggable, tagging as taggingApp, type Tagging } from '../src/index.ts';
import { library } from './fixtures/library.ts';
import { Book, makeBooks, makePhotos, taggingSite } from './helpers.ts';

let t: TestSite;
let tagging: Tagging;
let shown: Book[];
let hidden: Book;

beforeAll(async () => {
  t = await taggingSite();
  tagging = t.app.tagging;
  shown = await makeBooks(t, 2);
  [hidden] = (await makeBooks(t, 1, false)) as [Book];
  const [photo] = await makePhotos(t, 'Harbour');
  await tagging.setTags(t.em(), shown[0]!, ['Python', 'web']);
  await tagging.setTags(t.em(), shown[1]!, ['Python']);
  await tagging.setTags(t.em(), photo!, ['Python']);
  // The draft carries a shared tag and one of its own.
  await tagging.setTags(t.em(), hidden, ['Python', 'Secret plans']);
  // A type no app registered: counted nowhere.
  await tagging.setTags(t.em(), { type: 'stray_thing', id: 1 }, ['Python', 'Stray']);
});
afterAll(() => t.close());

type CloudJson = { tags: { slug: string; count: number }[] };

describe('what a visitor sees counts only what they may see', () => {
  it('the cloud and its JSON leave out tags only hidden items carry, and count the rest', async () => {
    const json = (await t.client().get('/tags/api/tags')).json() as CloudJson;
    expect(json.tags.map((x) => [x.slug, x.count])).toEqual([
      ['python', 3],
      ['web', 1],
    ]);
    const page = await t.client().get('/tags');
    expect(page.body).not.toContain('Secret plans');
    expect(page.body).not.toContain('Stray');
    expect(page.body).toContain('<span class="tag-count">(3)</span>');
  });

  it('the cloud’s count matches what the tag’s page lists', async () => {
    const json = (await t.client().get('/tags/api/tags')).json() as CloudJson;
    const page = (await t.client().get('/tags/api/tags/python')).json() as {
      sections: { items: unknown[] }[];
    };
    const listed = page.sections.reduce((n, s) => n + s.items.length, 0);
    expect(json.tags.find((x) => x.slug === 'python')!.count).toBe(listed);
  });

  it('a tag only hidden items carry answers 404: its page, its JSON, another spelling', async () => {
    expect((await t.client().get('/tags/secret-plans')).statusCode).toBe(404);
    expect((await t.client().get('/tags/api/tags/secret-plans')).statusCode).toBe(404);
    expect((await t.client().get('/tags/Secret-Plans')).statusCode).toBe(404);
    expect((await t.client().get('/tags/stray')).statusCode).toBe(404);
    expect(await tagging.tag(t.em(), 'secret-plans')).toBeNull();
  });

  it('the reads leave out hidden and unregistered items', async () => {
    const em = t.em();
    expect(await tagging.tagsFor(em, hidden)).toEqual([]);
    expect((await tagging.tagsForMany(em, Book, [hidden.id, shown[1]!.id])).get(hidden.id)).toEqual(
      [],
    );
    expect(await tagging.tagsFor(em, { type: 'stray_thing', id: 1 })).toEqual([]);
    expect(await tagging.findTagged(em, Book, ['python'])).toEqual([shown[1]!.id, shown[0]!.id]);
    expect((await tagging.similar(em, shown[0]!)).map((x) => x.id)).toEqual([shown[1]!.id]);
    expect((await tagging.mostCommon(em, { type: Book })).map((x) => [x.slug, x.count])).toEqual([
      ['python', 2],
      ['web', 1],
    ]);
  });

  it('visibility: "all" answers an editor’s view: every tagged item, of any type', async () => {
    const em = t.em();
    const all = { visibility: 'all' } as const;
    expect((await tagging.tagsFor(em, hidden, all)).map((x) => x.slug)).toEqual([
      'python',
      'secret-plans',
    ]);
    expect(await tagging.tag(em, 'secret-plans', all)).toEqual({
      name: 'Secret plans',
      slug: 'secret-plans',
    });
    expect(await tagging.findTagged(em, Book, ['secret-plans'], all)).toEqual([hidden.id]);
    const common = await tagging.mostCommon(em, all);
    expect(common.find((x) => x.slug === 'python')!.count).toBe(5);
  });

  it('an item that becomes visible counts at once (visibility is read with each query)', async () => {
    const [later] = await makeBooks(t, 1, false);
    await tagging.setTags(t.em(), later!, ['Later']);
    expect((await t.client().get('/tags/later')).statusCode).toBe(404);
    await t.em().execute('update library_book set published = true where id = ?', [later!.id]);
    expect((await t.client().get('/tags/later')).statusCode).toBe(200);
    expect(await tagging.tag(t.em(), 'later')).toEqual({ name: 'Later', slug: 'later' });
  });

  it('the filter costs no query: the cloud and the tag lookup are one each', async () => {
    expect((await countQueries(() => tagging.mostCommon(t.em()))).queries).toBe(1);
    expect((await countQueries(() => tagging.tag(t.em(), 'python'))).queries).toBe(1);
    const ids = shown.map((b) => b.id);
    expect((await countQueries(() => tagging.tagsForMany(t.em(), Book, ids))).queries).toBe(1);
  });
});

describe('registering a type requires its visibility', () => {
  const untyped = (site: Parameters<typeof registerTaggable>[0]) =>
    registerTaggable(site, {
      type: 'untyped_thing',
      label: 'Things',
      load: async () => [],
    } as unknown as Parameters<typeof registerTaggable>[1]);

  it('a site whose app registers a type without `visible` fails to boot, naming the type', async () => {
    const careless = defineApp({
      name: 'careless',
      dependsOn: ['tagging'],
      setup: (_fastify, ctx) => untyped(ctx.site),
    });
    await expect(createTestSite({ apps: [taggingApp(), library(), careless()] })).rejects.toThrow(
      /tagging\.E001: Entity type 'untyped_thing' is registered with registerTaggable without a 'visible' function/,
    );
  });

  it('after the boot, the registration itself throws', () => {
    expect(() => untyped(t.site)).toThrowError(
      expect.objectContaining({ code: 'TESSERA_TAGGING_MISSING_VISIBILITY' }),
    );
    expect(tagging.taggables.map((x) => x.type)).toEqual(['library_book', 'gallery_photo']);
  });

  it('tsc refuses a registration without `visible`', () => {
    // @ts-expect-error `visible` is required
    const refused: Parameters<typeof registerTaggable>[1] = {
      type: 'x',
      label: 'X',
      load: async () => [],
    };
    expect(refused.visible).toBeUndefined();
  });
});
