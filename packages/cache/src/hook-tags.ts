import type { Hooks } from '@tessera/core';
import type { CacheLogger } from './store.ts';
import type { HookTagMapper } from './options.ts';

/** The tag names the default map invalidates; the blog and tagging apps tag their pages with them. */
export const TAGS = {
  /** Every page listing blog entries (index, archives, pagination). */
  blogList: 'blog:list',
  /** The blog's feeds. */
  blogFeeds: 'blog:feeds',
  /** One entry's page. */
  blogEntry: (slug: string) => `blog:entry:${slug}`,
  /** Every page listing what carries the tag `slug` (the blog's tag pages included). */
  tag: (slug: string) => `tagging:tag:${slug}`,
  /** The tag cloud. */
  tagCloud: 'tagging:cloud',
} as const;

/**
 * A blog entry was saved, published or deleted: its list pages, feeds, its page, and the pages of
 * its tags. Reads `{ entry: { slug, tags } }` (tags as slugs or `{ slug }`), and `previous`
 * (`{ slug, tags }` before the change) so a renamed or untagged entry's old pages go too.
 */
export function blogEntryTags(payload: unknown): string[] {
  const p = record(payload) ?? {};
  const entry = record(p.entry) ?? p;
  const previous = record(p.previous);
  const slugs = [entry.slug, previous?.slug].filter(isText);
  const tagSlugs = [...slugsOf(entry.tags), ...slugsOf(p.tags), ...slugsOf(previous?.tags)];
  return unique([
    TAGS.blogList,
    TAGS.blogFeeds,
    ...slugs.map(TAGS.blogEntry),
    ...tagSlugs.map(TAGS.tag),
  ]);
}

/**
 * Tags were added to or removed from something: those tags' pages and the tag cloud. Reads
 * `{ tags, added, removed }` (each a list of slugs or `{ slug }`).
 */
export function tagsChangedTags(payload: unknown): string[] {
  const p = record(payload) ?? {};
  const slugs = [...slugsOf(p.tags), ...slugsOf(p.added), ...slugsOf(p.removed)];
  return unique([TAGS.tagCloud, ...slugs.map(TAGS.tag)]);
}

/** What the cache invalidates with no site code: hook name → the tags its payload voids. */
export const DEFAULT_HOOK_TAGS: Readonly<Record<string, (payload: unknown) => string[]>> = {
  'blog:entry-saved': blogEntryTags,
  'blog:entry-published': blogEntryTags,
  'blog:entry-deleted': blogEntryTags,
  'tagging:tags-changed': tagsChangedTags,
};

/** The defaults with the site's `hookTags` over them (`false` removes a default). */
export function mergeHookTags(
  site: Readonly<Record<string, HookTagMapper>>,
): Map<string, (payload: unknown) => string[]> {
  const merged = new Map<string, (payload: unknown) => string[]>(Object.entries(DEFAULT_HOOK_TAGS));
  for (const [hook, mapper] of Object.entries(site)) {
    if (mapper === false) merged.delete(hook);
    else if (typeof mapper === 'function') merged.set(hook, mapper);
    else merged.set(hook, () => [...mapper]);
  }
  return merged;
}

/** Listens to every mapped hook and invalidates the tags its payload maps to. */
export function listenForInvalidations(
  hooks: Hooks,
  map: ReadonlyMap<string, (payload: unknown) => string[]>,
  invalidate: (tags: string[]) => Promise<void>,
  log: CacheLogger & { error(obj: object, msg: string): void },
): void {
  for (const [hook, mapper] of map) {
    hooks.on(hook, async function invalidateCacheTags(payload: unknown) {
      let tags: string[];
      try {
        tags = mapper(payload);
      } catch (err) {
        log.error(
          { err: { message: (err as Error).message }, hook },
          `cache: the tags for hook '${hook}' could not be worked out; pages it changed may be stale until they expire`,
        );
        return;
      }
      await invalidate(tags);
    });
  }
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function slugsOf(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map((v) => (typeof v === 'string' ? v : record(v)?.slug)).filter(isText);
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
