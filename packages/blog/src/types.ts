import type { TagRow } from '@tessera/tagging';

/** A tag as entries show it: name, slug and the blog's page of it. */
export interface TagLink extends TagRow {
  /** The blog's page of entries with this tag (`blog:tag`). */
  url: string;
}

/** An entry's status: a draft is seen by its author and staff only; a live entry by everyone once its publication date has come. */
export type EntryStatus = 'draft' | 'live';

/** Every status, in the order forms offer them. */
export const ENTRY_STATUSES: readonly EntryStatus[] = ['draft', 'live'];

/** An entry's author as pages show it (never the email address). */
export interface AuthorRow {
  id: number;
  name: string;
  /** The author's page (`blog:author`). */
  url: string;
}

/** One entry as list pages, feeds and the JSON list show it: a plain row, no entity. */
export interface EntryRow {
  id: number;
  slug: string;
  title: string;
  excerpt: string;
  status: EntryStatus;
  pubDate: Date;
  /** The entry's page (`blog:entry-detail`). */
  url: string;
  author: AuthorRow | null;
  /** The entry's tags, by slug. */
  tags: TagLink[];
}

/** One entry as its own page and the JSON detail show it. */
export interface EntryDetail extends EntryRow {
  /** The markdown source. */
  body: string;
  /** The rendered, sanitised HTML (stored on the row at save time). */
  html: string;
  createdAt: Date;
  updatedAt: Date;
}

/** What hooks and cache invalidation get: who the entry is, where it lives, its tags by slug. */
export interface EntrySummary {
  id: number;
  slug: string;
  title: string;
  status: EntryStatus;
  pubDate: Date;
  /** Tag slugs. */
  tags: string[];
  authorId: number | null;
  url: string;
}

/** What a save asks for, after the form (or the API) validated it. */
export interface EntryInput {
  title: string;
  /** Empty: made from the title. */
  slug: string;
  /** Markdown. */
  body: string;
  /** Plain text; empty: made from the body. */
  excerpt: string;
  status: EntryStatus;
  /** Null: now. */
  pubDate: Date | null;
  /** Tag names as typed. */
  tags: string[];
  /** Fields an extended form adds; the blog passes them to hooks untouched. */
  extra: Record<string, unknown>;
}

/** A page of rows and where it sits among the others. */
export interface Page<T> {
  items: T[];
  /** This page's number, from 1; 0 on a page reached by position (`?before=`, `?after=`). */
  number: number;
  /** How many pages there are (at least 1). */
  pages: number;
  /** How many rows there are on every page together. */
  count: number;
  perPage: number;
  hasPrevious: boolean;
  hasNext: boolean;
  /** The query string of the newer page (`?page=2`, `?after=…`), or null on the first. */
  previousQuery: string | null;
  /** The query string of the older page (`?page=3`, `?before=…`), or null on the last. */
  nextQuery: string | null;
}

/**
 * Where a page reached by position starts: the entries older (`before`) or newer (`after`) than
 * one entry, named by its publication date (ISO 8601, microseconds, UTC) and id.
 */
export type PagePosition = { before: EntryCursor } | { after: EntryCursor };

/** One entry's place in the newest-first order. */
export interface EntryCursor {
  at: string;
  id: number;
}
