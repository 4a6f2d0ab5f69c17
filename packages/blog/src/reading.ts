import type { CurrentUser, EntityManager, SiteContext } from '@tessera/core';
import { canSee } from './http.ts';
import type { EntryFilter } from './queries.ts';
import { blogOf } from './runtime.ts';
import type { EntryDetail, EntryRow, Page } from './types.ts';

/**
 * The newest public entries as plain rows (url, title, pubDate, author, tags, excerpt), in one
 * query: for a site's home page (`latestEntries(fastify.tessera, request.em, 5)`).
 */
export function latestEntries(
  site: SiteContext,
  em: EntityManager,
  limit = 5,
): Promise<EntryRow[]> {
  return blogOf(site).reads.latest(em, limit);
}

/** One page of entries matching `filter` (public ones unless it says otherwise), or null past the last page. */
export function listEntries(
  site: SiteContext,
  em: EntityManager,
  filter: EntryFilter = {},
  page = 1,
  perPage?: number,
): Promise<Page<EntryRow> | null> {
  const blog = blogOf(site);
  return blog.reads.page(em, filter, page, perPage ?? blog.options.paginateBy);
}

/** The entry with this slug if `user` may see it (drafts: their author and staff only), else null. */
export async function getEntry(
  site: SiteContext,
  em: EntityManager,
  slug: string,
  user: CurrentUser | null = null,
): Promise<EntryDetail | null> {
  const entry = await blogOf(site).reads.detail(em, slug);
  return entry && canSee(user, entry) ? entry : null;
}
