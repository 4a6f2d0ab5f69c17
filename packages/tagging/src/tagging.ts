import {
  invalidateOnCommit,
  kysely,
  sql,
  stateKey,
  transaction,
  type EntityManager,
  type CheckMessage,
  type Kysely,
  type OnCommit,
  type SiteContext,
} from '@tessera/core';
import { cacheTagsOfChange } from './cache-tags.ts';
import { DuplicateTaggable, InvalidArgument, MissingVisibility, NeedsOnCommit } from './errors.ts';
import { cleanTagNames, parseTagInput, type NameRules, type TagRow } from './names.ts';
import type { TaggingOptions } from './options.ts';
import { checkId, refOf, typeOf, type EntityRef, type EntityType, type TagTarget } from './refs.ts';
import type { TaggingTables } from './tables.ts';
import { visibilityChecks, visibleItems, type ReadOptions, type VisibleIds } from './visibility.ts';

/** What `tagging:tags-changed` carries and the writes answer: what changed on one entity. */
export interface TagsChanged {
  /** The entity's type (`blog_entry`). */
  type: string;
  /** The entity's id. */
  id: number;
  /** Tags the entity gained, by slug. */
  added: TagRow[];
  /** Tags the entity lost, by slug. */
  removed: TagRow[];
}

/** Options of `setTags`, `addTags` and `removeTags`. */
export interface WriteOptions {
  /**
   * The `onCommit` of a surrounding `transaction(em, (tx, onCommit) => …)` from @tessera/core:
   * the write joins that transaction and `tagging:tags-changed` fires after it commits.
   * Without it the write runs in a transaction of its own.
   */
  onCommit?: OnCommit;
}

/** A tag with how many entities carry it. */
export interface TagCount extends TagRow {
  count: number;
}

/** An entity that shares tags with another, and how many. */
export interface SimilarItem extends EntityRef {
  shared: number;
}

/** Options of `findTagged`. */
export interface FindTaggedOptions extends ReadOptions {
  /** `'any'` (default): tagged with at least one of the slugs; `'all'`: with every one. */
  match?: 'any' | 'all';
  /** At most this many ids (default: all). */
  limit?: number;
  /** Skip this many first (pagination). */
  offset?: number;
}

/** One entity as a tag's page lists it. */
export interface TaggableItem {
  id: number;
  title: string;
  url: string;
}

/**
 * How an app's entity type appears on tag pages and what of it a visitor may see; the app
 * registers it, tagging never imports it:
 * `registerTaggable(site, { type: Entry, label: 'Blog entries', load, visible: publicEntryIds })`.
 */
export interface TaggableType {
  /** The entity's type string (`'blog_entry'`) or its entity class (`Entry`). */
  type: EntityType;
  /** The heading of its section on a tag page (`'Blog entries'`). */
  label: string;
  /**
   * Answers title and URL of the entities with these ids that may be shown (leave out drafts);
   * missing ids are skipped. Read plain rows, in one query.
   */
  load(em: EntityManager, ids: number[]): Promise<TaggableItem[]>;
  /**
   * The ids a visitor may see (`(db) => db.selectFrom('blog_entry').select('id').where(…)`):
   * every count, cloud, tag page and lookup a visitor reads counts only these. Required: a type
   * registered without it fails the boot (`tagging.E001`) and counts nowhere.
   */
  visible: VisibleIds;
}

/** A registered entity type, with its type resolved to the string stored in tagged items. */
export interface RegisteredTaggable extends TaggableType {
  type: string;
}

type Mode = 'set' | 'add' | 'remove';

/** The tagging service of a site: `site.state.get(TAGGING)` (or `getTagging(site)`). */
export const TAGGING = stateKey<Tagging>('tagging');

/**
 * The tagging API other apps call: writes and reads of tags on any entity, taking the caller's
 * EntityManager (`request.em`). One per site: `fastify.tagging` in routes, `getTagging(site)`
 * elsewhere.
 *
 * Entities are named by type and id. An entity instance of an installed app gives its table name
 * and primary key; an `{ type, id }` reference does the same without the class; a type is a string
 * (`'blog_entry'`) or an entity class.
 */
export class Tagging {
  readonly #site: SiteContext;
  readonly #rules: NameRules;
  readonly #taggables = new Map<string, RegisteredTaggable>();
  #checked = false;

  constructor(site: SiteContext, options: Pick<TaggingOptions, 'maxLength' | 'lowercase'>) {
    this.#site = site;
    this.#rules = { maxLength: options.maxLength, lowercase: options.lowercase };
  }

  /** The name rules this site applies (`maxLength`, `lowercase`). */
  get rules(): NameRules {
    return this.#rules;
  }

  /** Reads typed input (`a, b c, "multi word"`) into clean, merged tags; a bad name throws. */
  parse(input: string): TagRow[] {
    return cleanTagNames(parseTagInput(input), this.#rules);
  }

  /**
   * Adds an entity type to tag pages and counts. Without `visible` (an untyped caller) the type
   * is kept out of every visitor's read and the boot's checks refuse it (`tagging.E001`); once
   * the site has booted, registering it throws at once.
   */
  register(taggable: TaggableType): void {
    const type = typeOf(this.#site.orm.em, taggable.type);
    if (this.#taggables.has(type)) throw new DuplicateTaggable(type);
    if (this.#checked && typeof taggable.visible !== 'function') throw new MissingVisibility(type);
    this.#taggables.set(type, { ...taggable, type });
  }

  /** The boot's check of the registrations (run once the apps are set up, and by `tessera check`). */
  checks(): CheckMessage[] {
    this.#checked = true;
    return visibilityChecks(this.taggables);
  }

  /** The entity types tag pages show, in the order they were registered. */
  get taggables(): readonly RegisteredTaggable[] {
    return [...this.#taggables.values()];
  }

  /** Makes `names` the entity's tags: adds the missing ones, removes the others. */
  setTags(
    em: EntityManager,
    target: TagTarget,
    names: readonly string[],
    opts?: WriteOptions,
  ): Promise<TagsChanged> {
    return this.#write('set', em, target, names, opts);
  }

  /** Adds `names` to the entity's tags (those it has already stay). */
  addTags(
    em: EntityManager,
    target: TagTarget,
    names: readonly string[],
    opts?: WriteOptions,
  ): Promise<TagsChanged> {
    return this.#write('add', em, target, names, opts);
  }

  /** Removes `names` from the entity's tags (names it does not have are ignored). */
  removeTags(
    em: EntityManager,
    target: TagTarget,
    names: readonly string[],
    opts?: WriteOptions,
  ): Promise<TagsChanged> {
    return this.#write('remove', em, target, names, opts);
  }

  async #write(
    mode: Mode,
    em: EntityManager,
    target: TagTarget,
    names: readonly string[],
    opts: WriteOptions = {},
  ): Promise<TagsChanged> {
    // Everything is checked before the database is touched: a bad name writes nothing.
    if (!Array.isArray(names)) {
      throw new InvalidArgument('Pass tag names as a list; read typed text with parseTagInput.');
    }
    const tags = cleanTagNames(names, this.#rules);
    const ref = refOf(em, target);
    const site = this.#site;
    const run = async (tx: EntityManager, onCommit: OnCommit): Promise<TagsChanged> => {
      const change = await applyChange(tx, mode, ref, tags);
      if (change.added.length || change.removed.length) {
        // With the caller's own tags, in the one invalidation its transaction makes.
        invalidateOnCommit(site, onCommit, cacheTagsOfChange(change));
        onCommit(() => site.hooks.emit('tagging:tags-changed', change));
      }
      return change;
    };
    if (opts.onCommit) return run(em, opts.onCommit);
    if (em.isInTransaction()) throw new NeedsOnCommit();
    return transaction(em, run);
  }

  /**
   * The entity's tags, by slug: none when a visitor may not see the entity, unless
   * `visibility: 'all'` (its editor's form).
   */
  async tagsFor(em: EntityManager, target: TagTarget, opts: ReadOptions = {}): Promise<TagRow[]> {
    const ref = refOf(em, target);
    const db = kysely<TaggingTables>(em);
    return db
      .selectFrom('tagging_tag as t')
      .innerJoin('tagging_tagged_item as i', 'i.tag_id', 't.id')
      .select(['t.name', 't.slug'])
      .where('i.entity_type', '=', ref.type)
      .where('i.entity_id', '=', ref.id)
      .where(this.#visible(db, 'i', opts))
      .orderBy('t.slug')
      .execute();
  }

  /**
   * The tags of many entities of one type in one query (a list page): every id given maps to its
   * tags by slug, an empty list when it has none or a visitor may not see it (unless
   * `visibility: 'all'`).
   */
  async tagsForMany(
    em: EntityManager,
    type: EntityType,
    ids: readonly number[],
    opts: ReadOptions = {},
  ): Promise<Map<number, TagRow[]>> {
    const entityType = typeOf(em, type);
    const wanted = [...new Set(ids.map(checkId))];
    const byId = new Map<number, TagRow[]>(wanted.map((id) => [id, []]));
    if (!wanted.length) return byId;
    const db = kysely<TaggingTables>(em);
    const rows = await db
      .selectFrom('tagging_tagged_item as i')
      .innerJoin('tagging_tag as t', 't.id', 'i.tag_id')
      .select(['i.entity_id', 't.name', 't.slug'])
      .where('i.entity_type', '=', entityType)
      // One array parameter, whatever the number of ids.
      .where((eb) => eb('i.entity_id', '=', eb.fn.any(eb.val(wanted))))
      .where(this.#visible(db, 'i', opts))
      .orderBy('i.entity_id')
      .orderBy('t.slug')
      .execute();
    for (const row of rows) byId.get(row.entity_id)!.push({ name: row.name, slug: row.slug });
    return byId;
  }

  /**
   * Ids of entities of `type` tagged with any (or all) of `slugs`: for `'any'` those with the most
   * of the slugs first, then the most recently tagged; for `'all'` the most recently tagged first.
   * Only ids a visitor may see, unless `visibility: 'all'`. Join them with your own rows
   * (`where id = any(...)`) to show them.
   */
  async findTagged(
    em: EntityManager,
    type: EntityType,
    slugs: readonly string[],
    opts: FindTaggedOptions = {},
  ): Promise<number[]> {
    const entityType = typeOf(em, type);
    const wanted = [...new Set(slugs)].filter((s) => typeof s === 'string' && s);
    if (!wanted.length) return [];
    const all = (opts.match ?? 'any') === 'all';
    const db = kysely<TaggingTables>(em);
    const rows = await db
      .selectFrom('tagging_tagged_item as i')
      .innerJoin('tagging_tag as t', 't.id', 'i.tag_id')
      .select('i.entity_id')
      .where('i.entity_type', '=', entityType)
      .where((eb) => eb('t.slug', '=', eb.fn.any(eb.val(wanted))))
      .where(this.#visible(db, 'i', opts))
      .groupBy('i.entity_id')
      .$if(all, (q) => q.having((eb) => eb.fn.countAll(), '=', wanted.length))
      .$if(!all, (q) => q.orderBy((eb) => eb.fn.countAll(), 'desc'))
      .orderBy((eb) => eb.fn.max('i.created_at'), 'desc')
      .orderBy('i.entity_id', 'desc')
      .$if(opts.limit !== undefined, (q) => q.limit(count(opts.limit!, 'limit')))
      .$if(!!opts.offset, (q) => q.offset(count(opts.offset!, 'offset')))
      .execute();
    return rows.map((r) => r.entity_id);
  }

  /**
   * The most used tags, on entities of `type` or of every type, most used first: counting only
   * what a visitor may see (no tag carried by hidden items alone), unless `visibility: 'all'`.
   */
  async mostCommon(
    em: EntityManager,
    opts: { type?: EntityType; limit?: number } & ReadOptions = {},
  ): Promise<TagCount[]> {
    const entityType = opts.type === undefined ? undefined : typeOf(em, opts.type);
    const db = kysely<TaggingTables>(em);
    return db
      .selectFrom('tagging_tag as t')
      .innerJoin('tagging_tagged_item as i', 'i.tag_id', 't.id')
      .select((eb) => [
        't.name',
        't.slug',
        eb.cast<number>(eb.fn.countAll(), 'integer').as('count'),
      ])
      .$if(entityType !== undefined, (q) => q.where('i.entity_type', '=', entityType!))
      .where(this.#visible(db, 'i', opts))
      .groupBy('t.id')
      .orderBy('count', 'desc')
      .orderBy('t.slug')
      .limit(count(opts.limit ?? 10, 'limit'))
      .execute();
  }

  /**
   * Entities sharing the most tags with `target` (itself left out), most shared first, then most
   * recently tagged: of the same type unless `anyType` is set; only those a visitor may see
   * (sharing tags they may see), unless `visibility: 'all'`.
   */
  async similar(
    em: EntityManager,
    target: TagTarget,
    opts: { limit?: number; anyType?: boolean } & ReadOptions = {},
  ): Promise<SimilarItem[]> {
    const ref = refOf(em, target);
    const db = kysely<TaggingTables>(em);
    const rows = await db
      .selectFrom('tagging_tagged_item as mine')
      .innerJoin('tagging_tagged_item as other', 'other.tag_id', 'mine.tag_id')
      .select((eb) => [
        'other.entity_type',
        'other.entity_id',
        eb.cast<number>(eb.fn.countAll(), 'integer').as('shared'),
      ])
      .where('mine.entity_type', '=', ref.type)
      .where('mine.entity_id', '=', ref.id)
      .where((eb) =>
        eb.not(
          eb.and([
            eb('other.entity_type', '=', eb.ref('mine.entity_type')),
            eb('other.entity_id', '=', eb.ref('mine.entity_id')),
          ]),
        ),
      )
      .$if(!opts.anyType, (q) => q.whereRef('other.entity_type', '=', 'mine.entity_type'))
      .where(this.#visible(db, 'other', opts))
      .groupBy(['other.entity_type', 'other.entity_id'])
      .orderBy('shared', 'desc')
      .orderBy((eb) => eb.fn.max('other.created_at'), 'desc')
      .orderBy('other.entity_id', 'desc')
      .limit(count(opts.limit ?? 10, 'limit'))
      .execute();
    return rows.map((r) => ({ type: r.entity_type, id: r.entity_id, shared: r.shared }));
  }

  /**
   * The tag with this slug, or null — null too when a visitor may see nothing carrying it,
   * unless `visibility: 'all'` (then any tag in the table).
   */
  async tag(em: EntityManager, slug: string, opts: ReadOptions = {}): Promise<TagRow | null> {
    const db = kysely<TaggingTables>(em);
    const row = await db
      .selectFrom('tagging_tag as t')
      .select(['t.name', 't.slug'])
      .where('t.slug', '=', slug)
      .$if(opts.visibility !== 'all', (q) =>
        q.where((eb) =>
          eb.exists(
            eb
              .selectFrom('tagging_tagged_item as i')
              .select(sql.lit(1).as('one'))
              .whereRef('i.tag_id', '=', 't.id')
              .where(this.#visible(db, 'i', opts)),
          ),
        ),
      )
      .executeTakeFirst();
    return row ?? null;
  }

  /** The condition on the tagged items `alias` that a read with `opts` adds. */
  #visible(db: Kysely<TaggingTables>, alias: string, opts: ReadOptions) {
    return visibleItems(db, this.taggables, alias, opts.visibility);
  }
}

function count(n: number, what: string): number {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new InvalidArgument(`The ${what} must be a whole number of at least 0.`);
  }
  return n;
}

/** One write in the caller's transaction: answers exactly what changed. */
async function applyChange(
  tx: EntityManager,
  mode: Mode,
  ref: EntityRef,
  tags: TagRow[],
): Promise<TagsChanged> {
  // One writer per entity at a time, so two concurrent `setTags` cannot leave a mix of both.
  await tx.execute('select pg_advisory_xact_lock(hashtext(?), ?)', [`tagging:${ref.type}`, ref.id]);
  const slugs = tags.map((t) => t.slug);
  let added: TagRow[] = [];
  let removed: TagRow[] = [];
  if (mode !== 'add' && (mode === 'set' || slugs.length)) {
    const which = mode === 'set' ? (slugs.length ? 'not in (?)' : 'is not null') : 'in (?)';
    removed = await tx.execute<TagRow[]>(
      `delete from tagging_tagged_item i using tagging_tag t
        where t.id = i.tag_id and i.entity_type = ? and i.entity_id = ? and t.slug ${which}
        returning t.name, t.slug`,
      slugs.length ? [ref.type, ref.id, slugs] : [ref.type, ref.id],
    );
  }
  if (mode !== 'remove' && slugs.length) {
    // A name that slugs to an existing tag reuses it; concurrent writers may create the same tag.
    await tx.execute(
      `insert into tagging_tag (name, slug) values ${tags.map(() => '(?, ?)').join(', ')}
       on conflict (slug) do nothing`,
      tags.flatMap((t) => [t.name, t.slug]),
    );
    // A new statement sees tags other transactions committed meanwhile.
    added = await tx.execute<TagRow[]>(
      `with inserted as (
         insert into tagging_tagged_item (tag_id, entity_type, entity_id)
         select id, ?, ? from tagging_tag where slug in (?)
         on conflict do nothing
         returning tag_id
       )
       select t.name, t.slug from inserted join tagging_tag t on t.id = inserted.tag_id`,
      [ref.type, ref.id, slugs],
    );
  }
  return { type: ref.type, id: ref.id, added: bySlug(added), removed: bySlug(removed) };
}

function bySlug(tags: TagRow[]): TagRow[] {
  return tags
    .map((t) => ({ name: t.name, slug: t.slug }))
    .sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
}

/** The site's tagging service; throws core's `AppNotInstalled` when the site lacks tagging. */
export function getTagging(site: SiteContext): Tagging {
  return site.state.get(TAGGING);
}

/**
 * Shows an app's entity type on tag pages: call it from your app's `setup` (your app lists
 * `'tagging'` in `dependsOn`).
 */
export function registerTaggable(site: SiteContext, taggable: TaggableType): void {
  getTagging(site).register(taggable);
}
