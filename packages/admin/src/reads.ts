// The admin's reads: a change-list page in one statement (its rows and the total, whatever the
// page size), one object's row, and the admin log. Plain rows, never managed entities.
import type { EntityManager } from '@tessera/core';
import type { AdminModel, ModelField } from './models.ts';
import type { LogAction } from './log-entry.entity.ts';

/** What a change list asks for: search words, filter values by field, an order, a page. */
export interface ListQuery {
  search: string;
  /** Chosen filter values by field name (`{ status: 'live', pubDate: '7d' }`). */
  filters: Record<string, string>;
  order: { field: ModelField; desc: boolean } | undefined;
  page: number;
  pageSize: number;
}

/** One change-list page: plain rows by property name, and how many match in all. */
export interface ListPage {
  rows: Record<string, unknown>[];
  total: number;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** `%`, `_` and `\` taken literally in an ILIKE pattern. */
function likePattern(words: string): string {
  return `%${words.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

// Where a date filter's period starts: each one a fixed piece of SQL, chosen by name.
const PERIOD_START: Record<string, string> = {
  today: "date_trunc('day', now())",
  '7d': "now() - interval '7 days'",
  month: "date_trunc('month', now())",
  year: "date_trunc('year', now())",
};

function selectList(fields: Iterable<ModelField>): string {
  return [...new Set(fields)].map((f) => `${quote(f.column)} as ${quote(f.name)}`).join(', ');
}

/**
 * The page of objects a change list shows, with the number matching in all (a window count in
 * the same statement): one round trip whatever the page size, search or filters.
 */
export async function listPage(
  em: EntityManager,
  model: AdminModel,
  query: ListQuery,
): Promise<ListPage> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (query.search && model.search.length) {
    where.push(
      `(${model.search.map((f) => `${quote(f.column)}::text ilike ? escape '\\'`).join(' or ')})`,
    );
    for (const _ of model.search) params.push(likePattern(query.search));
  }
  for (const filter of model.filters) {
    const value = query.filters[filter.field.name];
    if (value === undefined) continue;
    const column = quote(filter.field.column);
    if (filter.field.kind === 'date' && PERIOD_START[value]) {
      where.push(`${column} >= ${PERIOD_START[value]}`);
    } else if (filter.field.kind === 'boolean') {
      where.push(`${column} = ?`);
      params.push(value === '1');
    } else {
      where.push(`${column}::text = ?`);
      params.push(value);
    }
  }
  const order = [...(query.order ? [query.order] : []), ...model.ordering]
    .map((o) => `${quote(o.field.column)} ${o.desc ? 'desc' : 'asc'}`)
    .join(', ');
  const fields = [model.fields.get('id')!, model.display, ...model.columns];
  const rows = await em.getConnection().execute<Record<string, unknown>[]>(
    `select ${selectList(fields)}, count(*) over () as "__total"
       from ${quote(model.table)}
      ${where.length ? `where ${where.join(' and ')}` : ''}
      order by ${order}
      limit ? offset ?`,
    [...params, query.pageSize, (query.page - 1) * query.pageSize],
  );
  const total = rows.length ? Number(rows[0]!.__total) : 0;
  for (const row of rows) delete row.__total;
  return { rows, total };
}

/** One object's row (every column of its table, by property name), or null. */
export async function objectRow(
  em: EntityManager,
  model: AdminModel,
  id: number,
): Promise<(Record<string, unknown> & { id: number }) | null> {
  const [row] = await em
    .getConnection()
    .execute<(Record<string, unknown> & { id: number })[]>(
      `select ${selectList(model.fields.values())} from ${quote(model.table)} where "id" = ?`,
      [id],
    );
  return row ?? null;
}

/** How many of `ids` exist (a bulk action acts on those only). */
export async function existingIds(
  em: EntityManager,
  model: AdminModel,
  ids: number[],
): Promise<{ id: number; repr: unknown }[]> {
  if (!ids.length) return [];
  return em
    .getConnection()
    .execute<{ id: number; repr: unknown }[]>(
      `select "id", ${quote(model.display.column)} as "repr" from ${quote(model.table)} where "id" in (?) order by "id"`,
      [ids],
    );
}

/** An admin log entry as pages show it. */
export interface LogRow {
  id: number;
  actionTime: Date;
  userEmail: string;
  app: string;
  entity: string;
  objectId: number;
  objectRepr: string;
  action: LogAction;
  changed: string[];
  message: string;
}

const LOG_COLUMNS = `id, action_time as "actionTime", user_email as "userEmail", app, entity,
  object_id as "objectId", object_repr as "objectRepr", action, changed, message`;

/** The latest `limit` changes made through the admin, newest first. */
export function recentLog(em: EntityManager, limit: number): Promise<LogRow[]> {
  if (limit === 0) return Promise.resolve([]);
  return em
    .getConnection()
    .execute<LogRow[]>(
      `select ${LOG_COLUMNS} from admin_log_entry order by action_time desc, id desc limit ?`,
      [limit],
    );
}

/** Every change to one object, newest first. */
export function objectLog(em: EntityManager, model: AdminModel, id: number): Promise<LogRow[]> {
  return em.getConnection().execute<LogRow[]>(
    `select ${LOG_COLUMNS} from admin_log_entry
      where app = ? and entity = ? and object_id = ? order by action_time desc, id desc`,
    [model.app, model.name, id],
  );
}
