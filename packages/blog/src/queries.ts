import { createHash } from 'node:crypto';
import { queryStats, type EntityManager, type SiteContext } from '@tessera/core';
import { Tag, TaggedItem, type TagRow } from '@tessera/tagging';
import { Entry } from './entry.entity.ts';
import { ENTRY_TALLY_TABLE } from './entry-tally.entity.ts';
import type { AuthorRow, EntryDetail, EntryRow, EntryStatus, Page, TagLink } from './types.ts';

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

interface RawRow {
  id: number;
  slug: string;
  title: string;
  excerpt: string;
  status: EntryStatus;
  pub_date: string;
  author_id: number | null;
  author_name: string | null;
  tags: TagRow[];
  total?: number;
}

interface RawDetail extends RawRow {
  body: string;
  html: string;
  created_at: string;
  updated_at: string;
}

/** The part of `pg`'s pool the reads use. */
interface NativePool {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/** A read as a named prepared statement: `$n` placeholders, a name derived from its text. */
interface Statement {
  name: string;
  text: string;
}

const id = (name: string) => `"${name.replaceAll('"', '""')}"`;
const literal = (value: string) => `'${value.replaceAll("'", "''")}'`;

/** Entries as pages read them: plain rows in one SQL round trip each, never hydrated entities. */
export class EntryReads {
  readonly #site: SiteContext;
  readonly #select: string;
  readonly #from: string;
  readonly #public: string;
  readonly #entry: string;
  readonly #user: string;
  readonly #userName: string;
  readonly #tagFilter: string;
  readonly #columns: string;
  readonly #pageTags: string;
  readonly #publicCount: string;
  readonly #prepared: boolean;
  readonly #statements = new Map<string, Statement>();
  #pool: NativePool | undefined;
  // Built on first use: the routes are named after setup, when the app's routes register.
  #entryUrl: ((values: string[]) => string) | undefined;
  #tagUrl: ((values: string[]) => string) | undefined;
  #authorUrl: ((values: string[]) => string) | undefined;

  /** `prepared`: run reads as named prepared statements (planned once per connection). */
  constructor(site: SiteContext, prepared = true) {
    this.#site = site;
    this.#prepared = prepared;
    // Table and column names come from the entities' metadata: tagging's and auth's public
    // entities, not their SQL, so renaming a column there cannot silently break these reads.
    const meta = site.orm.getMetadata();
    const entry = meta.find(Entry)!;
    const tag = meta.find(Tag)!;
    const item = meta.find(TaggedItem)!;
    const col = (m: { properties: object }, prop: string) =>
      id((m.properties as Record<string, { fieldNames: string[] }>)[prop]!.fieldNames[0]!);
    const user = entry.properties.author.targetMeta!;
    this.#entry = id(entry.tableName);
    this.#user = id(user.tableName);
    this.#userName = `coalesce(nullif(u.${col(user, 'displayName')}, ''), split_part(u.${col(user, 'email')}, '@', 1))`;
    const tags = `coalesce((select json_agg(json_build_object('name', t.${col(tag, 'name')}, 'slug', t.${col(tag, 'slug')}) order by t.${col(tag, 'slug')})
        from ${id(item.tableName)} i join ${id(tag.tableName)} t on t.${col(tag, 'id')} = i.${col(item, 'tag')}
       where i.${col(item, 'entityType')} = ${literal(entry.tableName)} and i.${col(item, 'entityId')} = e.id), '[]'::json)`;
    this.#columns = `e.id, e.slug, e.title, e.excerpt, e.status, e.pub_date, e.author_id, ${this.#userName} as author_name`;
    this.#select = `${this.#columns}, ${tags} as tags`;
    // A page's tags in one grouped pass over its ids, instead of a subquery per entry.
    this.#pageTags = `select i.${col(item, 'entityId')} as entry_id, json_agg(json_build_object('name', t.${col(tag, 'name')}, 'slug', t.${col(tag, 'slug')}) order by t.${col(tag, 'slug')}) as tags
        from ${id(item.tableName)} i join ${id(tag.tableName)} t on t.${col(tag, 'id')} = i.${col(item, 'tag')}
       where i.${col(item, 'entityType')} = ${literal(entry.tableName)} and i.${col(item, 'entityId')} in (select id from ids)
       group by i.${col(item, 'entityId')}`;
    // Live entries (the tally, kept by PostgreSQL's triggers) less those dated in the future:
    // the public list's count without counting every live entry.
    this.#publicCount = `((select coalesce(sum(x.entries), 0) from ${id(ENTRY_TALLY_TABLE)} x where x.status = 'live')
        - (select count(*) from ${this.#entry} e where e.status = 'live' and e.pub_date > now()))::int`;
    this.#from = `${this.#entry} e left join ${this.#user} u on u.id = e.author_id`;
    this.#public = `e.status = 'live' and e.pub_date <= now()`;
    this.#tagFilter = `exists (select 1 from ${id(item.tableName)} i join ${id(tag.tableName)} t on t.${col(tag, 'id')} = i.${col(item, 'tag')}
       where i.${col(item, 'entityType')} = ${literal(entry.tableName)} and i.${col(item, 'entityId')} = e.id and t.${col(tag, 'slug')} = ?)`;
  }

  /**
   * Runs a read. Pages run the same few statements over and over, and planning them costs more
   * than running them (the list page: ~0.7 ms to plan, ~0.3 ms to run), so each runs as a named
   * prepared statement on MikroORM's pg pool: planned once per connection. Inside a transaction
   * (or with prepared statements off) it goes through the EntityManager as usual.
   */
  async #query<T>(em: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
    if (!this.#prepared || em.isInTransaction()) return em.execute<T[]>(sql, params);
    this.#pool ??= await (
      em.getConnection() as unknown as { getNativeClient(): Promise<NativePool> }
    ).getNativeClient();
    let statement = this.#statements.get(sql);
    if (!statement) {
      let n = 0;
      statement = {
        name: `blog_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`,
        text: sql.replace(/\?/g, () => `$${++n}`),
      };
      this.#statements.set(sql, statement);
    }
    // Counted like every ORM query, so `countQueries` and the debug header stay true.
    const stats = queryStats.getStore();
    const started = performance.now();
    const { rows } = await this.#pool.query({ ...statement, values: params });
    if (stats) {
      stats.count += 1;
      stats.ms += performance.now() - started;
    }
    return rows as T[];
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

  #where(filter: EntryFilter): { sql: string; params: unknown[] } {
    const clauses: string[] = [
      filter.visibility === 'unpublished' ? `not (${this.#public})` : this.#public,
    ];
    const params: unknown[] = [];
    if (filter.authorId !== undefined) {
      clauses.push('e.author_id = ?');
      params.push(filter.authorId);
    }
    if (filter.from) {
      clauses.push('e.pub_date >= ?');
      params.push(filter.from);
    }
    if (filter.to) {
      clauses.push('e.pub_date < ?');
      params.push(filter.to);
    }
    if (filter.tag !== undefined) {
      clauses.push(this.#tagFilter);
      params.push(filter.tag);
    }
    return { sql: clauses.join(' and '), params };
  }

  /**
   * One page of entries, newest first: entries, authors, tags and the total in one query.
   * Null when the page is past the last one (page 1 always exists, perhaps empty).
   */
  async page(
    em: EntityManager,
    filter: EntryFilter,
    number: number,
    perPage: number,
  ): Promise<Page<EntryRow> | null> {
    const where = this.#where(filter);
    // The page's ids first, from the index alone (a deep page's offset never builds the rows it
    // skips), then their authors and tags. The count is an uncorrelated subquery, run once (a
    // `count(*) over ()` would join every matching row before the limit); the whole public list
    // reads its count from the tally instead of counting.
    const everyPublic =
      filter.visibility !== 'unpublished' &&
      filter.tag === undefined &&
      filter.authorId === undefined &&
      !filter.from &&
      !filter.to;
    const total = everyPublic
      ? this.#publicCount
      : `(select count(*)::int from ${this.#entry} e where ${where.sql})`;
    const rows = await this.#query<RawRow>(
      em,
      `with ids as (select e.id from ${this.#entry} e where ${where.sql}
                     order by e.pub_date desc, e.id desc limit ? offset ?)
       select ${this.#columns}, coalesce(g.tags, '[]'::json) as tags, ${total} as total
         from ids join ${this.#entry} e on e.id = ids.id
         left join ${this.#user} u on u.id = e.author_id
         left join (${this.#pageTags}) g on g.entry_id = e.id
        order by e.pub_date desc, e.id desc`,
      [...where.params, perPage, (number - 1) * perPage, ...(everyPublic ? [] : where.params)],
    );
    if (!rows.length && number > 1) return null;
    const count = rows[0]?.total ?? 0;
    const pages = Math.max(1, Math.ceil(count / perPage));
    return {
      items: rows.map((r) => this.#row(r)),
      number,
      pages,
      count,
      perPage,
      hasPrevious: number > 1,
      hasNext: number < pages,
    };
  }

  /** The newest public entries (a home page's "latest from the blog"). */
  async latest(em: EntityManager, limit: number): Promise<EntryRow[]> {
    const rows = await this.#query<RawRow>(
      em,
      `select ${this.#select} from ${this.#from} where ${this.#public}
        order by e.pub_date desc, e.id desc limit ?`,
      [limit],
    );
    return rows.map((r) => this.#row(r));
  }

  /** The entry with this slug whatever its status (the caller decides who may see it), or null. */
  async detail(em: EntityManager, slug: string): Promise<EntryDetail | null> {
    const [raw] = await this.#query<RawDetail>(
      em,
      `select ${this.#select}, e.body, e.body_html as html, e.created_at, e.updated_at
         from ${this.#from} where e.slug = ?`,
      [slug],
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
    const rows = await this.#query<RawRow & { html: string; updated_at: string }>(
      em,
      `select ${this.#select}, e.body_html as html, e.updated_at from ${this.#from}
        where ${this.#public} order by e.pub_date desc, e.id desc limit ?`,
      [limit],
    );
    return rows.map((r) => ({ ...this.#row(r), html: r.html, updatedAt: toDate(r.updated_at) }));
  }

  /** Every public entry's URL and last change, newest first (at most `limit`). */
  async sitemap(em: EntityManager, limit: number): Promise<SitemapRow[]> {
    const rows = await this.#query<{ slug: string; pub_date: string; updated_at: string }>(
      em,
      `select e.slug, e.pub_date, e.updated_at from ${this.#entry} e
        where ${this.#public} order by e.pub_date desc, e.id desc limit ?`,
      [limit],
    );
    return rows.map((r) => ({
      url: this.url(r.slug, toDate(r.pub_date)),
      updatedAt: toDate(r.updated_at),
    }));
  }

  /** The months of `year` (UTC) that have public entries, with their counts. */
  async months(em: EntityManager, year: number): Promise<ArchiveMonth[]> {
    return this.#query<ArchiveMonth>(
      em,
      `select extract(month from e.pub_date at time zone 'UTC')::int as month, count(*)::int as count
         from ${this.#entry} e where ${this.#public} and e.pub_date >= ? and e.pub_date < ?
        group by 1 order by 1`,
      [utc(year, 1), utc(year + 1, 1)],
    );
  }

  /** The newest `limit` months (UTC) that have public entries, newest first, with their counts. */
  async recentMonths(
    em: EntityManager,
    limit: number,
  ): Promise<(ArchiveMonth & { year: number })[]> {
    return this.#query<ArchiveMonth & { year: number }>(
      em,
      `select extract(year from e.pub_date at time zone 'UTC')::int as year,
              extract(month from e.pub_date at time zone 'UTC')::int as month, count(*)::int as count
         from ${this.#entry} e where ${this.#public}
        group by 1, 2 order by 1 desc, 2 desc limit ?`,
      [limit],
    );
  }

  /** The publication dates of the nearest public entries before `from` and from `to` on. */
  async neighbours(
    em: EntityManager,
    from: Date,
    to: Date,
  ): Promise<{ previous: Date | null; next: Date | null }> {
    const [row] = await this.#query<{ previous: string | null; next: string | null }>(
      em,
      `select (select max(e.pub_date) from ${this.#entry} e where ${this.#public} and e.pub_date < ?) as previous,
              (select min(e.pub_date) from ${this.#entry} e where ${this.#public} and e.pub_date >= ?) as next`,
      [from, to],
    );
    return {
      previous: row?.previous ? toDate(row.previous) : null,
      next: row?.next ? toDate(row.next) : null,
    };
  }

  /** The user with this id as an author (name, never the email), or null. */
  async author(em: EntityManager, userId: number): Promise<AuthorRow | null> {
    const [row] = await this.#query<{ id: number; name: string }>(
      em,
      `select u.id, ${this.#userName} as name from ${this.#user} u where u.id = ?`,
      [userId],
    );
    return row ? this.authorLink(row.id, row.name) : null;
  }

  /** Title and URL of the public entries among `ids` (tag pages). */
  async titles(
    em: EntityManager,
    ids: number[],
  ): Promise<{ id: number; title: string; url: string }[]> {
    if (!ids.length) return [];
    const rows = await this.#query<{ id: number; title: string; slug: string; pub_date: string }>(
      em,
      `select e.id, e.title, e.slug, e.pub_date from ${this.#entry} e
        where ${this.#public} and e.id = any(?::int[])`,
      // An array literal: one parameter, the same statement whatever the number of ids.
      [`{${ids.map((n) => Math.trunc(Number(n))).join(',')}}`],
    );
    return rows.map((r) => ({
      id: r.id,
      title: r.title,
      url: this.url(r.slug, toDate(r.pub_date)),
    }));
  }
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
