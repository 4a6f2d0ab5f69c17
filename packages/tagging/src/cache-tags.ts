import type { TagsChanged } from './tagging.ts';

/**
 * The cache tags of tagging's pages, which its changes invalidate. An app whose pages list what
 * carries a tag tags them with `tag(slug)` too; an app whose change alters what a tag page shows
 * of its entities (a new title) invalidates `tag(slug)` for their tags.
 */
export const TAGGING_CACHE_TAGS = {
  /** The tag list (cloud), and every page showing the most used tags. */
  cloud: 'tagging:cloud',
  /** Every page listing what carries the tag `slug`. */
  tag: (slug: string) => `tagging:tag:${slug}`,
} as const;

/** What one entity's tags changing makes stale: the pages of the tags it gained or lost, and the cloud. */
export function cacheTagsOfChange(change: Pick<TagsChanged, 'added' | 'removed'>): string[] {
  return [
    TAGGING_CACHE_TAGS.cloud,
    ...[...change.added, ...change.removed].map((t) => TAGGING_CACHE_TAGS.tag(t.slug)),
  ];
}
