import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { invalidateOnCommit, transaction } from '@tessera/core';
import { fakeInvalidations, type InvalidationsFake, type TestSite } from '@tessera/testing';
import { makeTag } from '../src/testing.ts';
import { TAGGING_CACHE_TAGS, type Tagging } from '../src/index.ts';
import { makeBooks, taggingSite } from './helpers.ts';

let t: TestSite;
let tagging: Tagging;
let invalidations: InvalidationsFake;

beforeAll(async () => {
  t = await taggingSite();
  tagging = t.app.tagging;
});
beforeEach(() => {
  invalidations = fakeInvalidations(t.site);
  return () => invalidations.restore();
});
afterAll(() => t.close());

describe('cache invalidation', () => {
  it('one change of an entity’s tags invalidates once, after the commit: those tags’ pages and the cloud', async () => {
    const [book] = await makeBooks(t, 1);
    await tagging.setTags(t.em(), book!, ['a', 'b']);
    await tagging.setTags(t.em(), book!, ['b', 'c']);
    expect(invalidations.calls).toEqual([
      ['tagging:cloud', 'tagging:tag:a', 'tagging:tag:b'],
      ['tagging:cloud', 'tagging:tag:c', 'tagging:tag:a'],
    ]);
  });

  it('a write that changes nothing invalidates nothing', async () => {
    const [book] = await makeBooks(t, 1);
    await tagging.setTags(t.em(), book!, ['same']);
    invalidations.calls.length = 0;
    await tagging.setTags(t.em(), book!, ['same']);
    await tagging.removeTags(t.em(), book!, ['never-had']);
    expect(invalidations.calls).toEqual([]);
  });

  it('inside the caller’s transaction, joins the caller’s one invalidation', async () => {
    const [book] = await makeBooks(t, 1);
    await transaction(t.em(), async (tx, onCommit) => {
      await tagging.setTags(tx, book!, ['x'], { onCommit });
      invalidateOnCommit(t.site, onCommit, ['library:book:1']);
    });
    expect(invalidations.calls).toEqual([
      ['tagging:cloud', TAGGING_CACHE_TAGS.tag('x'), 'library:book:1'],
    ]);
  });

  it('a rolled-back change invalidates nothing', async () => {
    const [book] = await makeBooks(t, 1);
    await expect(
      transaction(t.em(), async (tx, onCommit) => {
        await tagging.setTags(tx, book!, ['y'], { onCommit });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(invalidations.calls).toEqual([]);
  });
});

describe('the makeTag factory', () => {
  it('makes tags with slugs from their names', async () => {
    const tag = await makeTag(t, { name: 'Web Dev' });
    const [a, b] = await makeTag.many(t, 2);
    expect(tag).toMatchObject({ name: 'Web Dev', slug: 'web-dev' });
    expect(a!.slug).not.toBe(b!.slug);
    // Carried by nothing yet: there for an editor, not for a visitor.
    expect(await tagging.tag(t.em(), 'web-dev', { visibility: 'all' })).toEqual({
      name: 'Web Dev',
      slug: 'web-dev',
    });
    expect(await tagging.tag(t.em(), 'web-dev')).toBeNull();
  });
});
