import type { FastifyRequest } from 'fastify';
import { NotFound, type CurrentUser, type SiteContext } from '@tessera/core';
import { BadHost } from './errors.ts';
import { isMadeExcerpt } from './markdown.ts';
import type { BlogRuntime } from './runtime.ts';
import type { EntryDetail, EntryInput, EntryRow, EntryStatus, PagePosition } from './types.ts';

/** The page number in `?page=`: 1 when absent; anything but a positive whole number is a 404. */
export function pageNumber(request: FastifyRequest): number {
  const raw = (request.query as Record<string, unknown> | undefined)?.page;
  if (raw === undefined) return 1;
  if (typeof raw !== 'string' || !/^[1-9]\d{0,8}$/.test(raw)) throw new NotFound();
  return Number(raw);
}

/** `2026-12-05T10:00:00.123456Z_42`: a publication date (UTC) and an entry id. */
const CURSOR = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z)_([1-9]\d{0,9})$/;

/**
 * Which page a list request asks for: `?page=N` (a number), or `?before=<cursor>` /
 * `?after=<cursor>` (a position). More than one of them, or a malformed one, is a 404.
 */
export function pageAt(request: FastifyRequest): number | PagePosition {
  const query = request.query as Record<string, unknown> | undefined;
  const before = query?.before;
  const after = query?.after;
  if (before === undefined && after === undefined) return pageNumber(request);
  if (query?.page !== undefined || (before !== undefined && after !== undefined))
    throw new NotFound();
  const raw = before ?? after;
  const m = typeof raw === 'string' ? CURSOR.exec(raw) : null;
  if (!m || Number.isNaN(Date.parse(m[1]!)) || Number(m[2]) > 2_147_483_647) throw new NotFound();
  const cursor = { at: m[1]!, id: Number(m[2]) };
  return before !== undefined ? { before: cursor } : { after: cursor };
}

/** A four-digit year from a path, or a 404. */
export function yearOf(raw: string): number {
  if (!/^\d{4}$/.test(raw) || raw === '0000') throw new NotFound();
  return Number(raw);
}

/** A month (1–12, written `1` or `01`) from a path, or a 404. */
export function monthOf(raw: string): number {
  if (!/^\d{1,2}$/.test(raw)) throw new NotFound();
  const month = Number(raw);
  if (month < 1 || month > 12) throw new NotFound();
  return month;
}

/** The archive page of a month (`month` 1–12), its two digits as URLs write them. */
export function monthUrl(site: SiteContext, year: number, month: number): string {
  return site.url('blog:archive-month', { year, month: String(month).padStart(2, '0') });
}

/** True when everyone may see the entry: it is live and its publication date has come. */
export function isPublic(entry: { status: EntryStatus; pubDate: Date }, now = new Date()): boolean {
  return entry.status === 'live' && entry.pubDate <= now;
}

/** Drafts and entries still to come are seen by their author and staff only; everyone else gets a 404. */
export function canSee(
  user: CurrentUser | null,
  entry: Pick<EntryRow, 'status' | 'pubDate' | 'author'>,
): boolean {
  if (isPublic(entry)) return true;
  return !!user && (user.isStaff || user.isSuperuser || entry.author?.id === user.id);
}

/** The site's origin for absolute URLs: the `siteUrl` option, else the request's. */
export function originOf(runtime: BlogRuntime, request: FastifyRequest): string {
  if (runtime.options.siteUrl) return runtime.options.siteUrl;
  const origin = `${request.protocol}://${request.host}`;
  // A Host such as `localhost:99999` makes no URL: refuse it rather than fail building links.
  if (!URL.canParse(origin)) throw new BadHost();
  return origin;
}

const ENTRY_FIELDS = new Set(['title', 'slug', 'body', 'excerpt', 'status', 'pubDate', 'tags']);

/** The entry input of a form's clean data; fields an extended form adds go to `extra`. */
export function inputOf(data: Record<string, unknown>): EntryInput {
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) if (!ENTRY_FIELDS.has(key)) extra[key] = value;
  return {
    title: String(data.title ?? ''),
    slug: String(data.slug ?? ''),
    body: String(data.body ?? ''),
    excerpt: String(data.excerpt ?? ''),
    status: data.status as EntryStatus,
    pubDate: (data.pubDate as Date | null | undefined) ?? null,
    tags: (data.tags as string[] | undefined) ?? [],
    extra,
  };
}

/**
 * An entry's stored values as form input. An excerpt the blog made from the body is left empty,
 * so it follows the body when the body changes.
 */
export function valuesOf(entry: EntryDetail, excerptLength: number): Record<string, unknown> {
  return {
    title: entry.title,
    slug: entry.slug,
    body: entry.body,
    excerpt: isMadeExcerpt(entry.excerpt, entry.html, excerptLength) ? '' : entry.excerpt,
    status: entry.status,
    pubDate: entry.pubDate,
    tags: entry.tags.map((t) => t.name),
  };
}
