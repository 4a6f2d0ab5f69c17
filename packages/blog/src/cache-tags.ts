import { TAGGING_CACHE_TAGS } from '@tessera/tagging';
import type { EntrySummary } from './types.ts';

/**
 * The cache tags of the blog's pages, which its own changes invalidate (the cache app knows none
 * of them). A site's page showing entries (a home page's latest) carries `list` too.
 */
export const BLOG_CACHE_TAGS = {
  /** Every page listing entries: the list, archives, tag and author pages, the sitemap, the JSON list. */
  list: 'blog:list',
  /** The Atom and RSS feeds. */
  feeds: 'blog:feeds',
  /** An entry's page and its JSON. */
  entry: (slug: string) => `blog:entry:${slug}`,
} as const;

/**
 * The cache tags a change to these entries makes stale (old and new alike): the lists, the feeds,
 * the entries' pages — and the tag pages of their tags, which show each entry's title.
 */
export function cacheTagsFor(...entries: (EntrySummary | null)[]): string[] {
  const tags = new Set<string>([BLOG_CACHE_TAGS.list, BLOG_CACHE_TAGS.feeds]);
  for (const e of entries) {
    if (!e) continue;
    tags.add(BLOG_CACHE_TAGS.entry(e.slug));
    for (const slug of e.tags) tags.add(TAGGING_CACHE_TAGS.tag(slug));
  }
  return [...tags];
}

/**
 * `tagging:cloud` when a save changes whether a visitor may see a tagged entry: tagging counts
 * only what a visitor may see, so the cloud changes even when the tags do not. Else nothing.
 */
export function cloudTagsFor(
  previous: EntrySummary | null,
  saved: EntrySummary,
  now = new Date(),
): string[] {
  const visible = (e: EntrySummary | null) => !!e && e.status === 'live' && e.pubDate <= now;
  const tagged = saved.tags.length > 0 || (previous?.tags.length ?? 0) > 0;
  return tagged && visible(previous) !== visible(saved) ? [TAGGING_CACHE_TAGS.cloud] : [];
}
