import type { CurrentUser, EntityManager, SiteContext } from '@tessera/core';
import { canSee, monthUrl } from './http.ts';
import { utc, type ArchiveMonth, type EntryFilter } from './queries.ts';
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

/** A month of the archive with public entries: its first day (UTC), its count and its page. */
export interface ArchiveLink extends ArchiveMonth {
  year: number;
  date: Date;
  url: string;
}

/**
 * The newest `limit` months that have public entries, newest first, each with its count and its
 * archive page, in one query: for a site's sidebar (`archiveMonths(fastify.tessera, em, 12)`).
 */
export async function archiveMonths(
  site: SiteContext,
  em: EntityManager,
  limit = 12,
): Promise<ArchiveLink[]> {
  const months = await blogOf(site).reads.recentMonths(em, limit);
  return months.map((m) => ({
    ...m,
    date: utc(m.year, m.month),
    url: monthUrl(site, m.year, m.month),
  }));
}
