import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { countQueries, expectCountChange, recordHook, type TestSite } from '@tessera/testing';
import { transaction } from '@tessera/core';
import { Tag, TaggedItem, type Tagging } from '../src/index.ts';
import { Book, Photo, makeBooks, makePhotos, taggingSite } from './helpers.ts';

let t: TestSite;
let tagging: Tagging;

beforeAll(async () => {
  t = await taggingSite();
  tagging = t.app.tagging;
});
afterAll(() => t.close());
beforeEach(async () => {
  await t
    .em()
    .execute(
      'truncate tagging_tagged_item, tagging_tag, library_book, gallery_photo restart identity',
    );
});

const names = (tags: { name: string }[]) => tags.map((x) => x.name);

describe('setTags, addTags, removeTags', () => {
  it('tags an entity instance and reads its tags back by slug', async () => {
    const [book] = await makeBooks(t, 1);
    const change = await tagging.setTags(t.em(), book!, ['Python', 'web dev', 'Django']);
    expect(change).toEqual({
      type: 'library_book',
      id: book!.id,
      added: [
        { name: 'Django', slug: 'django' },
        { name: 'Python', slug: 'python' },
        { name: 'web dev', slug: 'web-dev' },
      ],
      removed: [],
    });
    expect(await tagging.tagsFor(t.em(), book!)).toEqual([
      { name: 'Django', slug: 'django' },
      { name: 'Python', slug: 'python' },
      { name: 'web dev', slug: 'web-dev' },
    ]);
  });

  it('an { type, id } reference and the instance name the same entity', async () => {
    const [book] = await makeBooks(t, 1);
    await tagging.setTags(t.em(), { type: 'library_book', id: book!.id }, ['one']);
    expect(names(await tagging.tagsFor(t.em(), book!))).toEqual(['one']);
  });

  it('setTags replaces the set: adds the missing, removes the others, keeps the rest', async () => {
    const [book] = await makeBooks(t, 1);
    await tagging.setTags(t.em(), book!, ['a', 'b', 'c']);
    const change = await tagging.setTags(t.em(), book!, ['b', 'c', 'd']);
    expect(names(change.added)).toEqual(['d']);
    expect(names(change.removed)).toEqual(['a']);
    expect(names(await tagging.tagsFor(t.em(), book!))).toEqual(['b', 'c', 'd']);
  });

  it('setTags with no names removes every tag', async () => {
    const [book] = await makeBooks(t, 1);
    await tagging.setTags(t.em(), book!, ['a', 'b']);
    const change = await tagging.setTags(t.em(), book!, []);
    expect(names(change.removed)).toEqual(['a', 'b']);
    expect(await tagging.tagsFor(t.em(), book!)).toEqual([]);
  });

  it('addTags adds without removing; removeTags removes only what is named', async () => {
    const [book] = await makeBooks(t, 1);
    await tagging.setTags(t.em(), book!, ['a']);
    const added = await tagging.addTags(t.em(), book!, ['b', 'A']);
    expect(names(added.added)).toEqual(['b']);
    expect(added.removed).toEqual([]);
    const removed = await tagging.removeTags(t.em(), book!, ['a', 'never-had']);
    expect(names(removed.removed)).toEqual(['a']);
    expect(removed.added).toEqual([]);
    expect(names(await tagging.tagsFor(t.em(), book!))).toEqual(['b']);
    const none = await tagging.removeTags(t.em(), book!, []);
    expect(none.removed).toEqual([]);
  });

  it('a name that slugs to an existing tag reuses it, keeping the first spelling', async () => {
    const [one, two] = await makeBooks(t, 2);
    await tagging.setTags(t.em(), one!, ['Web Dev']);
    await tagging.setTags(t.em(), two!, ['web-dev', 'WEB   DEV']);
    expect(await t.em().count(Tag)).toBe(1);
    expect(await tagging.tagsFor(t.em(), two!)).toEqual([{ name: 'Web Dev', slug: 'web-dev' }]);
  });

  it('the lowercase option stores names lower-cased', async () => {
    const lower = await taggingSite({ lowercase: true });
    try {
      const [book] = await makeBooks(lower, 1);
      await lower.app.tagging.setTags(lower.em(), book!, ['Python']);
      expect(await lower.app.tagging.tagsFor(lower.em(), book!)).toEqual([
        { name: 'python', slug: 'python' },
      ]);
    } finally {
      await lower.close();
    }
  });

  it('two writers creating the same new tag at once both succeed with one tag', async () => {
    const books = await makeBooks(t, 6);
    await Promise.all(books.map((b) => tagging.setTags(t.em(), b, ['brand new', 'shared'])));
    expect(await t.em().count(Tag)).toBe(2);
    expect(await t.em().count(TaggedItem)).toBe(12);
  });

  it('two writers setting the same entity at once leave one of the two sets, not a mix', async () => {
    const [book] = await makeBooks(t, 1);
    await Promise.all([
      tagging.setTags(t.em(), book!, ['a', 'b']),
      tagging.setTags(t.em(), book!, ['c']),
    ]);
    expect([['a', 'b'], ['c']]).toContainEqual(names(await tagging.tagsFor(t.em(), book!)));
  });
});

describe('bad input changes nothing', () => {
  it.each([
    [['ok', ''], 'TESSERA_TAGGING_INVALID_NAME'],
    [['ok', '   '], 'TESSERA_TAGGING_INVALID_NAME'],
    [['ok', 'x'.repeat(51)], 'TESSERA_TAGGING_NAME_TOO_LONG'],
    [['ok', 'bell\u0007'], 'TESSERA_TAGGING_INVALID_NAME'],
  ])('setTags(%j) fails with %s and writes nothing', async (input, code) => {
    const [book] = await makeBooks(t, 1);
    await tagging.setTags(t.em(), book!, ['kept']);
    await expectCountChange(t.em, TaggedItem, 0, () =>
      expectCountChange(t.em, Tag, 0, async () => {
        await expect(tagging.setTags(t.em(), book!, input)).rejects.toMatchObject({
          code,
          statusCode: 422,
        });
      }),
    );
    expect(names(await tagging.tagsFor(t.em(), book!))).toEqual(['kept']);
  });

  it('a failure after the tags were written rolls them back with the rest', async () => {
    const [book] = await makeBooks(t, 1);
    const changed = recordHook(t.site.hooks, 'tagging:tags-changed');
    await expect(
      transaction(t.em(), async (tx, onCommit) => {
        await tagging.setTags(tx, { type: 'library_book', id: book!.id }, ['doomed'], {
          onCommit,
        });
        await tx.execute('select * from no_such_table');
      }),
    ).rejects.toThrow();
    expect(await t.em().count(Tag)).toBe(0);
    expect(await t.em().count(TaggedItem)).toBe(0);
    expect(changed).toEqual([]);
  });

  it.each([
    [{ type: 'library_book', id: 0 }, /positive whole number/],
    [{ type: 'library_book', id: 1.5 }, /positive whole number/],
    [{ type: 'library_book', id: '3' }, /positive whole number/],
    [{ type: 'Library Book', id: 1 }, /lower-case letters/],
    [{ id: 1 }, /\{ type, id \} reference/],
    [new Book(), /save the entity first/],
  ])('refuses to tag %j', async (target, message) => {
    await expect(tagging.setTags(t.em(), target as never, ['x'])).rejects.toMatchObject({
      code: 'TESSERA_TAGGING_INVALID_REF',
      statusCode: 400,
      message: expect.stringMatching(message),
    });
  });

  it('refuses names that are not a list', async () => {
    await expect(
      tagging.setTags(t.em(), { type: 'library_book', id: 1 }, 'a, b' as never),
    ).rejects.toMatchObject({ code: 'TESSERA_TAGGING_INVALID_ARGUMENT', statusCode: 400 });
  });

  it('refuses a class that is not one of the site entities', async () => {
    class Stranger {}
    await expect(tagging.tagsForMany(t.em(), Stranger, [1])).rejects.toMatchObject({
      code: 'TESSERA_TAGGING_UNKNOWN_ENTITY',
    });
  });
});

describe('tagging:tags-changed', () => {
  it('fires after commit with the type, id, added and removed tags; not when nothing changed', async () => {
    const [book] = await makeBooks(t, 1);
    const changed = recordHook(t.site.hooks, 'tagging:tags-changed');
    await tagging.setTags(t.em(), book!, ['a', 'b']);
    await tagging.setTags(t.em(), book!, ['b', 'c']);
    await tagging.setTags(t.em(), book!, ['B', 'c']);
    expect(changed).toEqual([
      {
        type: 'library_book',
        id: book!.id,
        added: [
          { name: 'a', slug: 'a' },
          { name: 'b', slug: 'b' },
        ],
        removed: [],
      },
      {
        type: 'library_book',
        id: book!.id,
        added: [{ name: 'c', slug: 'c' }],
        removed: [{ name: 'a', slug: 'a' }],
      },
    ]);
  });

  it('inside a caller transaction it waits for that transaction to commit', async () => {
    const [book] = await makeBooks(t, 1);
    const seen: number[] = [];
    const off = t.site.hooks.on('tagging:tags-changed', async function countCommitted() {
      seen.push(await t.em().count(TaggedItem));
    });
    try {
      await transaction(t.em(), async (tx, onCommit) => {
        await tagging.setTags(tx, book!, ['x', 'y'], { onCommit });
        expect(seen).toEqual([]);
      });
      // The listener, on another connection, already sees the committed rows.
      expect(seen).toEqual([2]);
    } finally {
      off();
    }
  });

  it('refuses to write inside a transaction without its onCommit', async () => {
    const [book] = await makeBooks(t, 1);
    await expect(
      t.em().transactional((tx) => tagging.setTags(tx as never, book!, ['x'])),
    ).rejects.toMatchObject({ code: 'TESSERA_TAGGING_NEEDS_ON_COMMIT' });
    expect(await t.em().count(TaggedItem)).toBe(0);
  });
});

describe('reads', () => {
  it('tagsForMany answers 50 entities in one query, every id present', async () => {
    const books = await makeBooks(t, 50);
    for (const [i, book] of books.entries()) {
      if (i % 5 !== 4) await tagging.setTags(t.em(), book, [`n${i % 3}`, 'all']);
    }
    const em = t.em();
    const ids = books.map((b) => b.id);
    const { result, queries } = await countQueries(() => tagging.tagsForMany(em, Book, ids));
    expect(queries).toBe(1);
    expect(result.size).toBe(50);
    expect(result.get(books[0]!.id)).toEqual([
      { name: 'all', slug: 'all' },
      { name: 'n0', slug: 'n0' },
    ]);
    expect(result.get(books[4]!.id)).toEqual([]);
    const byString = await tagging.tagsForMany(em, 'library_book', ids);
    expect(byString).toEqual(result);
  });

  it('tagsForMany with no ids asks nothing', async () => {
    const { result, queries } = await countQueries(() => tagging.tagsForMany(t.em(), Book, []));
    expect(queries).toBe(0);
    expect(result.size).toBe(0);
  });

  it('tagsForMany keeps types apart: a photo and a book with the same id', async () => {
    const [book] = await makeBooks(t, 1);
    const [photo] = await makePhotos(t, 'sunset');
    expect(book!.id).toBe(photo!.id);
    await tagging.setTags(t.em(), book!, ['paper']);
    await tagging.setTags(t.em(), photo!, ['sky']);
    expect((await tagging.tagsForMany(t.em(), Photo, [photo!.id])).get(photo!.id)).toEqual([
      { name: 'sky', slug: 'sky' },
    ]);
  });

  it('findTagged matches any (most matching first) or all of the slugs', async () => {
    const [a, b, c, d] = await makeBooks(t, 4);
    await tagging.setTags(t.em(), a!, ['x', 'y']);
    await tagging.setTags(t.em(), b!, ['x']);
    await tagging.setTags(t.em(), c!, ['y', 'z']);
    await tagging.setTags(t.em(), d!, ['z']);
    const [photo] = await makePhotos(t, 'also x and y');
    await tagging.setTags(t.em(), photo!, ['x', 'y']);

    expect(await tagging.findTagged(t.em(), Book, ['x', 'y'], { match: 'all' })).toEqual([a!.id]);
    const any = await tagging.findTagged(t.em(), Book, ['x', 'y']);
    expect(any[0]).toBe(a!.id);
    expect(any.slice(1).sort()).toEqual([b!.id, c!.id].sort());
    expect(await tagging.findTagged(t.em(), 'gallery_photo', ['x'], { match: 'all' })).toEqual([
      photo!.id,
    ]);
    expect(await tagging.findTagged(t.em(), Book, ['x', 'nope'], { match: 'all' })).toEqual([]);
    expect(await tagging.findTagged(t.em(), Book, [])).toEqual([]);
    expect(
      await tagging.findTagged(t.em(), Book, ['x', 'y'], { limit: 1, offset: 1 }),
    ).toHaveLength(1);
  });

  it('findTagged refuses a negative limit', async () => {
    await expect(tagging.findTagged(t.em(), Book, ['x'], { limit: -1 })).rejects.toMatchObject({
      code: 'TESSERA_TAGGING_INVALID_ARGUMENT',
    });
  });

  it('mostCommon counts tags over every type or one, most used first', async () => {
    const books = await makeBooks(t, 3);
    const photos = await makePhotos(t, 'p1', 'p2', 'p3');
    for (const b of books) await tagging.setTags(t.em(), b, ['book', 'common']);
    for (const p of photos) await tagging.setTags(t.em(), p, ['photo', 'common']);
    await tagging.addTags(t.em(), photos[0]!, ['rare']);

    expect(await tagging.mostCommon(t.em(), { limit: 3 })).toEqual([
      { name: 'common', slug: 'common', count: 6 },
      { name: 'book', slug: 'book', count: 3 },
      { name: 'photo', slug: 'photo', count: 3 },
    ]);
    expect(await tagging.mostCommon(t.em(), { type: Photo })).toEqual([
      { name: 'common', slug: 'common', count: 3 },
      { name: 'photo', slug: 'photo', count: 3 },
      { name: 'rare', slug: 'rare', count: 1 },
    ]);
  });

  it('similar finds the entities sharing the most tags, itself left out', async () => {
    const [me, close, closer, far, untagged] = await makeBooks(t, 5);
    await tagging.setTags(t.em(), me!, ['a', 'b', 'c']);
    await tagging.setTags(t.em(), close!, ['a', 'z']);
    await tagging.setTags(t.em(), closer!, ['a', 'b', 'q']);
    await tagging.setTags(t.em(), far!, ['z']);
    void untagged;
    const [photo] = await makePhotos(t, 'same tags');
    await tagging.setTags(t.em(), photo!, ['a', 'b', 'c']);

    expect(await tagging.similar(t.em(), me!)).toEqual([
      { type: 'library_book', id: closer!.id, shared: 2 },
      { type: 'library_book', id: close!.id, shared: 1 },
    ]);
    expect(await tagging.similar(t.em(), me!, { anyType: true, limit: 1 })).toEqual([
      { type: 'gallery_photo', id: photo!.id, shared: 3 },
    ]);
    expect(await tagging.similar(t.em(), untagged!)).toEqual([]);
  });

  it('tag answers a tag by slug, or null', async () => {
    const [book] = await makeBooks(t, 1);
    await tagging.setTags(t.em(), book!, ['Found It']);
    expect(await tagging.tag(t.em(), 'found-it')).toEqual({ name: 'Found It', slug: 'found-it' });
    expect(await tagging.tag(t.em(), 'missing')).toBeNull();
  });

  it('parse reads typed input into clean, merged tags with the site rules', () => {
    expect(tagging.parse('Python, "web dev", python')).toEqual([
      { name: 'Python', slug: 'python' },
      { name: 'web dev', slug: 'web-dev' },
    ]);
    expect(tagging.rules).toEqual({ maxLength: 50, lowercase: false });
  });
});
