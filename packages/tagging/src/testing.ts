// Factories other apps' and sites' tests use: `import { makeTag } from '@tessera/tagging/testing'`.
import { factory } from '@tessera/testing';
import { slugify } from './names.ts';
import { Tag } from './tag.entity.ts';

/** What `makeTag` may be told. */
export interface TagOverrides {
  /** The tag's name (default `Tag <n>`); its slug is made from it. */
  name: string;
}

/** Makes a tag (no entity carries it yet): `await makeTag(t, { name: 'Python' })`. */
export const makeTag = factory<Tag, TagOverrides>(async (em, o, n) => {
  const name = o.name ?? `Tag ${n}`;
  return em.create(Tag, { name, slug: slugify(name) });
});
