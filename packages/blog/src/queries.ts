// Entries as pages read them, as plain rows. Over 300 lines on purpose: every page's read is one
// compiled statement built from the same column list, visibility rule, tag subquery and cursor
// helpers; split per page, each file would import all of those back (decisions 0004 and 0011).
import {
  CompiledReads,
  jsonBuildObject,
  sql,
  type EntityManager,
  type Expression,
  type ExpressionBuilder,
  type Kysely,
  type SiteContext,
  type SlotOf,
  type SqlBool,
  type TablesOf,
} from '@tessera/core';
import type { UserSchema } from '@tessera/auth';
import type { TaggingTables, TagRow, VisibleIds } from '@tessera/tagging';
import { ENTRY_TABLE, type EntrySchema } from './entry.entity.ts';
import type { EntryTallySchema } from './entry-tally.entity.ts';
import type {
  AuthorRow,
  EntryCursor,
  EntryDetail,
  EntryRow,
  EntryStatus,
  Page,
  PagePosition,
  TagLink,
} from './types.ts';

/** Which entries a list shows. */
export interface EntryFilter {
  /** Only entries tagged with this tag slug. */
  tag?: string;
  /** Only this author's entries. */
  authorId?: number;
  /** Published on or after this instant. */
  from?: Date;
  /** Published before this instant. */
  to?: Date;
  /**
   * `'public'` (default): live entries whose publication date has come. `'unpublished'`: drafts
   * and live entries dated in the future (an editor's own list).
   */
  visibility?: 'public' | 'unpublished';
}

/** One entry of a feed: a list row plus its HTML and when it last changed. */
export interface FeedRow extends EntryRow {
  html: string;
  updatedAt: Date;
}

/** One URL of the sitemap. */
export interface SitemapRow {
  url: string;
  updatedAt: Date;
}

/** A month of an archive year and how many entries it has. */
export interface ArchiveMonth {
  month: number;
  count: number;
}

/**
 * The tables the blog's reads join, typed from the entities: its own, auth's users and tagging's
 * tags — so a renamed column in any of them fails `tsc` here, not a page at run time.
 */
export type BlogTables = TablesOf<
  typeof EntrySchema | typeof EntryTallySchema | typeof UserSchema
> &
  TaggingTables;

type Entry = BlogTables['blog_entry'];
/** A query over entries as `e` (and their authors as `u`, when joined). */
type OnEntries = ExpressionBuilder<BlogTables & { e: Entry }, 'e'>;
type OnAuthors = ExpressionBuilder<
  BlogTables & { e: Entry; u: BlogTables['auth_user'] },
  'e' | 'u'
>;

/** The columns of a list row (with `author_name` and `tags` beside them). */
const ROW = [
  'e.id',
  'e.slug',
  'e.title',
  'e.excerpt',
  'e.status',
  'e.pub_date',
  'e.author_id',
] as const;

/** A list row as the database answers it (timestamps may come as text). */
interface RawRow {
  id: number;
  slug: string;
  title: string;
  excerpt: string;
  status: EntryStatus;
  pub_date: Date | string;
  author_id: number | null;
  author_name: string | null;
  tags: TagRow[];
  /** The publication date as exact text (microseconds, UTC): a cursor's date (list pages). */
  pos?: string;
}

/** Live, and its publication date has come. */
function isPublic(eb: OnEntries): Expression<SqlBool> {
  return eb.and([eb('e.status', '=', sql.lit('live')), eb('e.pub_date', '<=', sql<Date>`now()`)]);
}

/**
 * The ids of the entries a visitor may see — live, and dated now or earlier — as a select that
 * tagging embeds in its counts, cloud and tag pages (the blog's `visible` for tagging).
 */
export const publicEntryIds: VisibleIds = (db: Kysely<BlogTables>) =>
  db.selectFrom('blog_entry as e').select('e.id').where(isPublic);

/** An author's public name: the display name, else the part of the email before the `@`. */
function authorName(eb: OnAuthors) {
  return eb.fn.coalesce(
    eb.fn<string | null>('nullif', ['u.display_name', sql.lit('')]),
    eb.fn<string>('split_part', ['u.email', sql.lit('@'), sql.lit(1)]),
  );
}

/** `{ name, slug }` of each tag, by slug, as one JSON array (the caller's `t` rows). */
function tagsAgg(eb: ExpressionBuilder<TaggingTables & { t: TaggingTables['tagging_tag'] }, 't'>) {
  return eb.fn
    .jsonAgg(jsonBuildObject({ name: eb.ref('t.name'), slug: eb.ref('t.slug') }))
    .orderBy('t.slug');
}

/** An entry's tags as one JSON array (empty, not null, without tags): a subquery per row. */
function entryTags(eb: OnEntries) {
  return eb.fn.coalesce(
    eb
      .selectFrom('tagging_tagged_item as i')
      .innerJoin('tagging_tag as t', 't.id', 'i.tag_id')
      .select((eb) => tagsAgg(eb).as('tags'))
      .where('i.entity_type', '=', sql.lit(ENTRY_TABLE))
      .whereRef('i.entity_id', '=', 'e.id')
      .$asScalar(),
    emptyJson(),
  );
}

function emptyJson() {
  return sql<TagRow[]>`${sql.lit('[]')}::json`;
}

/** Entries as pages read them: plain rows in one SQL round trip each, never hydrated entities. */
export class EntryReads {
  readonly #site: SiteContext;
  readonly #reads: CompiledReads<BlogTables>;
  // Built on first use: the routes are named after setup, when the app's routes register.
  #entryUrl: ((values: string[]) => string) | undefined;
  #tagUrl: ((values: string[]) => string) | undefined;
  #authorUrl: ((values: string[]) => string) | undefined;

  /**
   * Each read is built and compiled once; `prepared`: run them as named prepared statements
   * (planned once per connection).
   */
  constructor(site: SiteContext, prepared = true) {
    this.#site = site;
    this.#reads = new CompiledReads<BlogTables>(site.orm.em, { prepared });
  }

  /** The path of an entry's page: `/<year>/<month>/<slug>` under the blog's mount. */
  url(slug: string, pubDate: Date): string {
    this.#entryUrl ??= routeBuilder(this.#site, 'blog:entry-detail', ['year', 'month', 'slug']);
    const month = pubDate.getUTCMonth() + 1;
    return this.#entryUrl([
      String(pubDate.getUTCFullYear()),
      month < 10 ? `0${month}` : String(month),
      slug,
    ]);
  }

  /** A tag with the path of its blog page. */
  tagLink(tag: TagRow): TagLink {
    this.#tagUrl ??= routeBuilder(this.#site, 'blog:tag', ['slug']);
    return { name: tag.name, slug: tag.slug, url: this.#tagUrl([tag.slug]) };
  }

  /** An author with the path of their page. */
  authorLink(id: number, name: string): AuthorRow {
    this.#authorUrl ??= routeBuilder(this.#site, 'blog:author', ['id']);
    return { id, name, url: this.#authorUrl([String(id)]) };
  }

  #row(raw: RawRow): EntryRow {
    const pubDate = toDate(raw.pub_date);
    return {
      id: raw.id,
      slug: raw.slug,
      title: raw.title,
      excerpt: raw.excerpt,
      status: raw.status,
      pubDate,
      url: this.url(raw.slug, pubDate),
      author: raw.author_id === null ? null : this.authorLink(raw.author_id, raw.author_name ?? ''),
      tags: raw.tags.map((t) => this.tagLink(t)),
    };
  }

  /**
   * One page of entries, newest first: entries, authors, tags and the total in one query. `at`
   * is a page number (an OFFSET: fine for the first pages) or a position (entries older or newer
   * than one entry: a deep page costs what the first does). Pages up to `numbered` link each
   * other by number, older ones by position. Null past the last page, and for a position with
   * no entries beyond it (page 1 always exists, perhaps empty).
   */
  async page(
    em: EntityManager,
    filter: EntryFilter,
    at: number | PagePosition,
    perPage: number,
    numbered = Number.POSITIVE_INFINITY,
  ): Promise<Page<EntryRow> | null> {
    // One compiled query per combination of filters and kind of page; values are the slots.
    const { visibility = 'public', tag, authorId, from, to } = filter;
    const position = typeof at === 'number' ? undefined : 'before' in at ? 'before' : 'after';
    const cursor: EntryCursor | undefined =
      typeof at === 'number' ? undefined : 'before' in at ? at.before : at.after;
    const key = `page:${visibility}:${tag === undefined ? '' : 't'}${authorId === undefined ? '' : 'a'}${from ? 'f' : ''}${to ? 'o' : ''}:${position ?? 'n'}`;
    const rows = await this.#reads.run(
      em,
      key,
      (db, slot) => pageQuery(db, slotted(filter, slot), slot, position),
      {
        tag,
        authorId,
        from,
        to,
        // A page by position asks one more: whether there is a page beyond it.
        limit: position ? perPage + 1 : perPage,
        offset: typeof at === 'number' ? (at - 1) * perPage : 0,
        ...(cursor ? { at: cursor.at, id: cursor.id } : {}),
      },
    );
    if (typeof at === 'number' && !rows.length && at > 1) return null;
    if (position && !rows.length) return null;
    const count = rows[0]?.total ?? 0;
    const pages = Math.max(1, Math.ceil(count / perPage));
    // Rows come newest first; the extra row of a page by position is the one furthest from it.
    const beyond = !!position && rows.length > perPage;
    const kept = !beyond ? rows : position === 'after' ? rows.slice(1) : rows.slice(0, perPage);
    const first = kept[0] as (RawRow & { pos: string }) | undefined;
    const last = kept.at(-1) as (RawRow & { pos: string }) | undefined;
    let previousQuery: string | null = null;
    let nextQuery: string | null = null;
    if (typeof at === 'number') {
      if (at > 1) previousQuery = `?page=${at - 1}`;
      if (at < pages && last)
        nextQuery = at < numbered ? `?page=${at + 1}` : `?before=${cursorText(last)}`;
    } else {
      if ((position === 'before' || beyond) && first) previousQuery = `?after=${cursorText(first)}`;
      if ((position === 'after' || beyond) && last) nextQuery = `?before=${cursorText(last)}`;
    }
    return {
      items: kept.map((r) => this.#row(r)),
      number: typeof at === 'number' ? at : 0,
      pages,
      count,
      perPage,
      hasPrevious: previousQuery !== null,
      hasNext: nextQuery !== null,
      previousQuery,
      nextQuery,
    };
  }

  /**
   * The position of page `number` as an older page number's redirect names it: the entries
   * older than the last one of the page before it. Null past the last page. One query, which
   * walks `(number - 1) * perPage` index entries (an old link pays that once).
   */
  async positionOf(
    em: EntityManager,
    filter: EntryFilter,
    number: number,
    perPage: number,
  ): Promise<PagePosition | null> {
    const { visibility = 'public', tag, authorId, from, to } = filter;
    const key = `position:${visibility}:${tag === undefined ? '' : 't'}${authorId === undefined ? '' : 'a'}${from ? 'f' : ''}${to ? 'o' : ''}`;
    const rows = await this.#reads.run(
      em,
      key,
      (db, slot) =>
        db
          .selectFrom('blog_entry as e')
          .select((eb) => ['e.id', exactDate(eb).as('pos')])
          .where((eb) => filtered(eb, slotted(filter, slot)))
          .orderBy('e.pub_date', 'desc')
          .orderBy('e.id', 'desc')
          .limit(2)
          .offset(slot<number>('offset')),
      { tag, authorId, from, to, offset: (number - 1) * perPage - 1 },
    );
    // The page exists when an entry follows the last one of the page before it.
    const [row] = rows;
    return row && rows.length === 2 ? { before: { at: row.pos, id: row.id } } : null;
  }

  /** The newest public entries (a home page's "latest from the blog"). */
  async latest(em: EntityManager, limit: number): Promise<EntryRow[]> {
    const rows = await this.#reads.run(
      em,
      'latest',
      (db, slot) =>
        rowsOf(db)
          .where(isPublic)
          .orderBy('e.pub_date', 'desc')
          .orderBy('e.id', 'desc')
          .limit(slot<number>('limit')),
      { limit },
    );
    return rows.map((r) => this.#row(r));
  }

  /** The entry with this slug whatever its status (the caller decides who may see it), or null. */
  async detail(em: EntityManager, slug: string): Promise<EntryDetail | null> {
    const [raw] = await this.#reads.run(
      em,
      'detail',
      (db, slot) =>
        rowsOf(db)
          .select(['e.body', 'e.body_html as html', 'e.created_at', 'e.updated_at'])
          .where('e.slug', '=', slot<string>('slug')),
      { slug },
    );
    if (!raw) return null;
    return {
      ...this.#row(raw),
      body: raw.body,
      html: raw.html,
      createdAt: toDate(raw.created_at),
      updatedAt: toDate(raw.updated_at),
    };
  }

  /** The newest public entries with their HTML, for the feeds. */
  async feed(em: EntityManager, limit: number): Promise<FeedRow[]> {
    const rows = await this.#reads.run(
      em,
      'feed',
      (db, slot) =>
        rowsOf(db)
          .select(['e.body_html as html', 'e.updated_at'])
          .where(isPublic)
          .orderBy('e.pub_date', 'desc')
          .orderBy('e.id', 'desc')
          .limit(slot<number>('limit')),
      { limit },
    );
    return rows.map((r) => ({ ...this.#row(r), html: r.html, updatedAt: toDate(r.updated_at) }));
  }

  /** Every public entry's URL and last change, newest first (at most `limit`). */
  async sitemap(em: EntityManager, limit: number): Promise<SitemapRow[]> {
    const rows = await this.#reads.run(
      em,
      'sitemap',
      (db, slot) =>
        db
          .selectFrom('blog_entry as e')
          .select(['e.slug', 'e.pub_date', 'e.updated_at'])
          .where(isPublic)
          .orderBy('e.pub_date', 'desc')
          .orderBy('e.id', 'desc')
          .limit(slot<number>('limit')),
      { limit },
    );
    return rows.map((r) => ({
      url: this.url(r.slug, toDate(r.pub_date)),
      updatedAt: toDate(r.updated_at),
    }));
  }

  /** The months of `year` (UTC) that have public entries, with their counts. */
  async months(em: EntityManager, year: number): Promise<ArchiveMonth[]> {
    return this.#reads.run(
      em,
      'months',
      (db, slot) =>
        db
          .selectFrom('blog_entry as e')
          .select((eb) => [datePart(eb, 'month').as('month'), countAll(eb).as('count')])
          .where(isPublic)
          .where('e.pub_date', '>=', slot<Date>('from'))
          .where('e.pub_date', '<', slot<Date>('to'))
          .groupBy(sql.lit(1))
          .orderBy(sql.lit(1)),
      { from: utc(year, 1), to: utc(year + 1, 1) },
    );
  }

  /** The newest `limit` months (UTC) that have public entries, newest first, with their counts. */
  async recentMonths(
    em: EntityManager,
    limit: number,
  ): Promise<(ArchiveMonth & { year: number })[]> {
    return this.#reads.run(
      em,
      'recent-months',
      (db, slot) =>
        db
          .selectFrom('blog_entry as e')
          .select((eb) => [
            datePart(eb, 'year').as('year'),
            datePart(eb, 'month').as('month'),
            countAll(eb).as('count'),
          ])
          .where(isPublic)
          .groupBy([sql.lit(1), sql.lit(2)])
          .orderBy(sql.lit(1), 'desc')
          .orderBy(sql.lit(2), 'desc')
          .limit(slot<number>('limit')),
      { limit },
    );
  }

  /** The publication dates of the nearest public entries before `from` and from `to` on. */
  async neighbours(
    em: EntityManager,
    from: Date,
    to: Date,
  ): Promise<{ previous: Date | null; next: Date | null }> {
    const [row] = await this.#reads.run(
      em,
      'neighbours',
      (db, slot) =>
        db.selectNoFrom((eb) => [
          eb
            .selectFrom('blog_entry as e')
            .select((eb) => eb.fn.max('e.pub_date').as('d'))
            .where(isPublic)
            .where('e.pub_date', '<', slot<Date>('from'))
            .$asScalar()
            .as('previous'),
          eb
            .selectFrom('blog_entry as e')
            .select((eb) => eb.fn.min('e.pub_date').as('d'))
            .where(isPublic)
            .where('e.pub_date', '>=', slot<Date>('to'))
            .$asScalar()
            .as('next'),
        ]),
      { from, to },
    );
    return {
      previous: row?.previous ? toDate(row.previous) : null,
      next: row?.next ? toDate(row.next) : null,
    };
  }

  /** The user with this id as an author (name, never the email), or null. */
  async author(em: EntityManager, userId: number): Promise<AuthorRow | null> {
    const [row] = await this.#reads.run(
      em,
      'author',
      (db, slot) =>
        db
          .selectFrom('auth_user as u')
          .select((eb) => ['u.id', authorName(eb).as('name')])
          .where('u.id', '=', slot<number>('id')),
      { id: userId },
    );
    return row ? this.authorLink(row.id, row.name) : null;
  }

  /** Title and URL of the public entries among `ids` (tag pages). */
  async titles(
    em: EntityManager,
    ids: number[],
  ): Promise<{ id: number; title: string; url: string }[]> {
    if (!ids.length) return [];
    const rows = await this.#reads.run(
      em,
      'titles',
      (db, slot) =>
        db
          .selectFrom('blog_entry as e')
          .select(['e.id', 'e.title', 'e.slug', 'e.pub_date'])
          .where(isPublic)
          // One array parameter: the same statement whatever the number of ids.
          .where((eb) => eb('e.id', '=', eb.fn.any(eb.val(slot<number[]>('ids'))))),
      { ids: ids.map((n) => Math.trunc(Number(n))) },
    );
    return rows.map((r) => ({
      id: r.id,
      title: r.title,
      url: this.url(r.slug, toDate(r.pub_date)),
    }));
  }
}

/** Entries with their authors and tags, one subquery of tags per row (short lists). */
function rowsOf(db: Kysely<BlogTables>) {
  return db
    .selectFrom('blog_entry as e')
    .leftJoin('auth_user as u', 'u.id', 'e.author_id')
    .select((eb) => [...ROW, authorName(eb).as('author_name'), entryTags(eb).as('tags')]);
}

/** The entries `filter` asks for. */
function filtered(eb: OnEntries, filter: EntryFilter): Expression<SqlBool> {
  const clauses = [filter.visibility === 'unpublished' ? eb.not(isPublic(eb)) : isPublic(eb)];
  if (filter.authorId !== undefined) clauses.push(eb('e.author_id', '=', filter.authorId));
  if (filter.from) clauses.push(eb('e.pub_date', '>=', filter.from));
  if (filter.to) clauses.push(eb('e.pub_date', '<', filter.to));
  if (filter.tag !== undefined) {
    clauses.push(
      eb.exists(
        eb
          .selectFrom('tagging_tagged_item as i')
          .innerJoin('tagging_tag as t', 't.id', 'i.tag_id')
          .select(sql.lit(1).as('one'))
          .where('i.entity_type', '=', sql.lit(ENTRY_TABLE))
          .whereRef('i.entity_id', '=', 'e.id')
          .where('t.slug', '=', filter.tag),
      ),
    );
  }
  return eb.and(clauses);
}

/**
 * The list page's query. The page's ids first, from the index alone (a deep page's offset never
 * builds the rows it skips), then their authors and tags. The count is an uncorrelated subquery,
 * run once (a `count(*) over ()` would join every matching row before the limit); the whole
 * public list reads its count from the tally instead of counting.
 */
function pageQuery(
  db: Kysely<BlogTables>,
  filter: EntryFilter,
  slot: SlotOf,
  position?: 'before' | 'after',
) {
  const everyPublic =
    filter.visibility !== 'unpublished' &&
    filter.tag === undefined &&
    filter.authorId === undefined &&
    !filter.from &&
    !filter.to;
  return (
    db
      .with('ids', (db) =>
        db
          .selectFrom('blog_entry as e')
          .select('e.id')
          .where((eb) => filtered(eb, filter))
          // A page by position: a range of the index `(status, pub_date desc, id desc)`.
          .$if(!!position, (q) =>
            q.where(
              sql<boolean>`(e.pub_date, e.id) ${sql.raw(position === 'after' ? '>' : '<')} (${slot<string>('at')}::timestamptz, ${slot<number>('id')}::int)`,
            ),
          )
          .orderBy('e.pub_date', position === 'after' ? 'asc' : 'desc')
          .orderBy('e.id', position === 'after' ? 'asc' : 'desc')
          .limit(slot<number>('limit'))
          .offset(slot<number>('offset')),
      )
      .selectFrom('ids')
      .innerJoin('blog_entry as e', 'e.id', 'ids.id')
      .leftJoin('auth_user as u', 'u.id', 'e.author_id')
      // A page's tags in one grouped pass over its ids, instead of a subquery per entry.
      .leftJoin(
        (eb) =>
          eb
            .selectFrom('tagging_tagged_item as i')
            .innerJoin('tagging_tag as t', 't.id', 'i.tag_id')
            .select((eb) => ['i.entity_id', tagsAgg(eb).as('tags')])
            .where('i.entity_type', '=', sql.lit(ENTRY_TABLE))
            .where('i.entity_id', 'in', eb.selectFrom('ids').select('ids.id'))
            .groupBy('i.entity_id')
            .as('g'),
        (join) => join.onRef('g.entity_id', '=', 'e.id'),
      )
      .select((eb) => [
        ...ROW,
        exactDate(eb).as('pos'),
        authorName(eb).as('author_name'),
        eb.fn.coalesce('g.tags', emptyJson()).as('tags'),
        (everyPublic
          ? eb.cast<number>(
              eb(
                // Live entries (the tally, kept by PostgreSQL's triggers) less those dated in the
                // future: the public list's count without counting every live entry.
                eb
                  .selectFrom('blog_entry_tally as x')
                  .select((eb) =>
                    eb.fn.coalesce(eb.fn.sum<number>('x.entries'), sql.lit(0)).as('n'),
                  )
                  .where('x.status', '=', sql.lit('live'))
                  .$asScalar(),
                '-',
                eb
                  .selectFrom('blog_entry as e')
                  .select((eb) => eb.fn.countAll<number>().as('n'))
                  .where('e.status', '=', sql.lit('live'))
                  .where('e.pub_date', '>', sql<Date>`now()`)
                  .$asScalar(),
              ),
              'integer',
            )
          : eb.cast<number>(
              eb
                .selectFrom('blog_entry as e')
                .select((eb) => eb.fn.countAll<number>().as('n'))
                .where((eb) => filtered(eb, filter))
                .$asScalar(),
              'integer',
            )
        ).as('total'),
      ])
      .orderBy('e.pub_date', 'desc')
      .orderBy('e.id', 'desc')
  );
}

/** An entry's publication date as text that keeps its microseconds (a JavaScript Date drops them). */
function exactDate(eb: OnEntries) {
  return sql<string>`to_char(${eb.ref('e.pub_date')} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** A cursor as a query string writes it: `2026-12-05T10:00:00.123456Z_42`. */
function cursorText(row: { pos: string; id: number }): string {
  return `${row.pos}_${row.id}`;
}

/** A filter whose values are slots (its shape is the compiled read's key). */
function slotted(filter: EntryFilter, slot: SlotOf): EntryFilter {
  const { visibility = 'public', tag, authorId, from, to } = filter;
  return {
    visibility,
    ...(tag === undefined ? {} : { tag: slot<string>('tag') }),
    ...(authorId === undefined ? {} : { authorId: slot<number>('authorId') }),
    ...(from ? { from: slot<Date>('from') } : {}),
    ...(to ? { to: slot<Date>('to') } : {}),
  };
}

/** The UTC year or month of an entry's publication date, as a number. */
function datePart(eb: OnEntries, part: 'year' | 'month') {
  return eb.cast<number>(
    eb.fn('date_part', [
      sql.lit(part),
      sql`${eb.ref('e.pub_date')} at time zone ${sql.lit('UTC')}`,
    ]),
    'integer',
  );
}

/** `count(*)` as a number. */
function countAll(eb: OnEntries) {
  return eb.cast<number>(eb.fn.countAll(), 'integer');
}

/**
 * A path builder for a named route: reversed once with markers, then filled by joining strings
 * (a list page builds dozens of URLs; the route table's regex replace is the slow way).
 */
function routeBuilder(
  site: SiteContext,
  name: string,
  keys: string[],
): (values: string[]) => string {
  const path = site.routes.reverse(name, Object.fromEntries(keys.map((k, i) => [k, `~~${i}~~`])));
  const parts = path.split(/~~(\d+)~~/);
  return (values) => {
    let out = parts[0]!;
    for (let i = 1; i < parts.length; i += 2) {
      out += encodeURIComponent(values[Number(parts[i])]!) + parts[i + 1]!;
    }
    return out;
  };
}

/** A timestamp as the driver answers it in raw rows (a string) or a Date, as a Date. */
function toDate(value: string | Date): Date {
  return value instanceof Date ? value : new Date(value);
}

/** The first instant of a month, UTC (`month` 1–12; 13 is January of the next year). */
export function utc(year: number, month: number): Date {
  return new Date(Date.UTC(year, month - 1, 1));
}
