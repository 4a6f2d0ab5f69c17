// What a visitor may see of tagged entities. Tagging knows no app's tables, so each app that
// registers an entity type says which of its ids are visible (a select tagging embeds in its own
// reads): counts, clouds, tag pages and tag lookups then count only those, in the same query.
import {
  checkError,
  sql,
  type CheckMessage,
  type Expression,
  type Kysely,
  type SqlBool,
} from '@tessera/core';
import { MissingVisibility } from './errors.ts';

/**
 * The ids of one entity type a visitor may see, as a select of one column `id` that tagging
 * embeds in its reads (`entity_id in (…)`): `(db) => db.selectFrom('blog_entry').select('id')
 * .where('status', '=', 'live')`. It is built on each read, so `now()` in it is the read's time.
 */
// The tables are the app's, not tagging's: whatever `Kysely` the app types its select with.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type VisibleIds = (db: Kysely<any>) => Expression<{ id: number }>;

/**
 * Whose view a read answers: `'visible'` (default) counts and lists only items of registered
 * types that their app's `visible` lets a visitor see; `'all'` every tagged item of any type
 * (an editor's own view, never a public page).
 */
export type Visibility = 'visible' | 'all';

/** The `visibility` option of tagging's reads. */
export interface ReadOptions {
  /** `'visible'` (default) or `'all'` (an editor's view). */
  visibility?: Visibility;
}

/** A registered type as the filter needs it. */
interface VisibleType {
  type: string;
  visible: VisibleIds;
}

/**
 * The condition on tagged items (`alias.entity_type`, `alias.entity_id`) a read adds: for
 * `'visible'`, items of a registered type whose id its `visible` select answers (no registered
 * type: nothing); for `'all'`, none (true).
 */
export function visibleItems(
  db: Parameters<VisibleIds>[0],
  types: readonly VisibleType[],
  alias: string,
  visibility: Visibility = 'visible',
): Expression<SqlBool> {
  if (visibility === 'all') return sql<SqlBool>`true`;
  const usable = types.filter((t) => typeof t.visible === 'function');
  if (!usable.length) return sql<SqlBool>`false`;
  const type = sql.ref(`${alias}.entity_type`);
  const id = sql.ref(`${alias}.entity_id`);
  return sql<SqlBool>`(${sql.join(
    usable.map((t) => sql`(${type} = ${t.type} and ${id} in (${t.visible(db)}))`),
    sql` or `,
  )})`;
}

/** The system check of registrations: each registered type must say what a visitor may see. */
export function visibilityChecks(
  types: readonly { type: string; visible?: unknown }[],
): CheckMessage[] {
  return types
    .filter((t) => typeof t.visible !== 'function')
    .map((t) =>
      checkError(
        'tagging.E001',
        new MissingVisibility(t.type).message,
        `registerTaggable(site, { type, label, load, visible: (db) => db.selectFrom('${t.type}').select('id').where(…) }); until then its tags count nowhere.`,
      ),
    );
}
