// Factories other apps' and sites' tests use: `import { makeEntry } from '@tessera/blog/testing'`.
import type { CurrentUser } from '@tessera/core';
import { factory } from '@tessera/testing';
import { saveEntry } from './entries.ts';
import type { EntryInput, EntrySummary } from './types.ts';

/** What `makeEntry` may be told: any field of an entry's input, and who writes it. */
export interface EntryOverrides extends EntryInput {
  /** The author (default: none). */
  author: CurrentUser | null;
}

/**
 * Saves an entry through the blog's own service — its hooks fire, its cache tags are invalidated —
 * live and dated now unless told otherwise: `await makeEntry(t, { title: 'Hello', tags: ['a'] })`.
 * Needs a target with its site (a `TestSite`).
 */
export const makeEntry = factory<EntrySummary, EntryOverrides>(async (em, o, n, target) => {
  if (!target.site) throw new Error('makeEntry saves through the blog: pass a TestSite.');
  const { author = null, ...input } = o;
  return saveEntry(
    target.site,
    em,
    null,
    {
      title: `Entry ${n}`,
      slug: '',
      body: `Body of entry ${n}.`,
      excerpt: '',
      status: 'live',
      pubDate: new Date(),
      tags: [],
      extra: {},
      ...input,
    },
    { user: author },
  );
});
