// The change list: search, filters, ordering and pages over one statement, and bulk actions on
// the ticked objects through the app's own handlers.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { NotFound, wantsJson } from '@tessera/core';
import { BadAction } from './errors.ts';
import { record } from './log.ts';
import type { AdminModel } from './models.ts';
import {
  actionsFor,
  adminContext,
  demand,
  modelOf,
  modelUrls,
  pageTemplate,
  permissionsOn,
  shown,
} from './pages.ts';
import { existingIds, listPage, type ListQuery } from './reads.ts';
import { adminOf } from './runtime.ts';

/** The longest search the box takes. */
const SEARCH_MAX_LENGTH = 200;

/** What the list's query string asks for; a malformed page number is a 404. */
export function listQuery(request: FastifyRequest, model: AdminModel, pageSize: number): ListQuery {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  const rawPage = query.page;
  if (rawPage !== undefined && (typeof rawPage !== 'string' || !/^[1-9]\d{0,8}$/.test(rawPage)))
    throw new NotFound();
  const filters: Record<string, string> = {};
  for (const f of model.filters) {
    const value = text(query[f.field.name]);
    if (f.choices.some(([v]) => v === value)) filters[f.field.name] = value;
  }
  const o = text(query.o);
  const sortable = model.columns.find((c) => c.name === o.replace(/^-/, ''));
  return {
    search: text(query.q).trim().slice(0, SEARCH_MAX_LENGTH),
    filters,
    order: sortable ? { field: sortable, desc: o.startsWith('-') } : undefined,
    page: rawPage ? Number(rawPage) : 1,
    pageSize,
  };
}

/** The list's own address with some of its query changed (`undefined` drops a key). */
function withQuery(base: string, query: ListQuery, change: Record<string, string | undefined>) {
  const params = new URLSearchParams();
  const o = query.order ? `${query.order.desc ? '-' : ''}${query.order.field.name}` : undefined;
  const all: Record<string, string | undefined> = {
    q: query.search || undefined,
    ...query.filters,
    o,
    page: query.page > 1 ? String(query.page) : undefined,
    ...change,
  };
  for (const [k, v] of Object.entries(all)) if (v !== undefined && v !== '') params.set(k, v);
  const s = params.toString();
  return s ? `${base}?${s}` : base;
}

/** GET: one page of the change list. */
export async function changeList(request: FastifyRequest, reply: FastifyReply) {
  const site = request.server.tessera;
  const model = modelOf(request);
  const pageSize = model.registration.pageSize ?? adminOf(site).options.pageSize;
  const query = listQuery(request, model, pageSize);
  const page = await listPage(request.em, model, query);
  if (!page.rows.length && query.page > 1) throw new NotFound();
  const urls = modelUrls(site, model);
  const pages = Math.max(1, Math.ceil(page.total / pageSize));
  return reply.render(pageTemplate(site, model, 'change_list'), {
    model,
    urls,
    can: permissionsOn(request, model),
    actions: actionsFor(request, model).map((a) => ({ name: a.name, label: a.label })),
    search: { fields: model.search.length > 0, value: query.search },
    columns: model.columns.map((c) => {
      const current = query.order?.field === c ? query.order : undefined;
      const next = current && !current.desc ? `-${c.name}` : c.name;
      return {
        label: c.label,
        sorted: current ? (current.desc ? 'descending' : 'ascending') : '',
        href: withQuery(urls.list, query, { o: next, page: undefined }),
      };
    }),
    rows: page.rows.map((row) => ({
      id: row.id as number,
      url: urls.change(row.id as number),
      cells: model.columns.map((c) => shown(c, row[c.name])),
    })),
    filters: model.filters.map((f) => ({
      label: f.label,
      choices: [
        {
          label: 'All',
          selected: query.filters[f.field.name] === undefined,
          href: withQuery(urls.list, query, { [f.field.name]: undefined, page: undefined }),
        },
        ...f.choices.map(([value, label]) => ({
          label,
          selected: query.filters[f.field.name] === value,
          href: withQuery(urls.list, query, { [f.field.name]: value, page: undefined }),
        })),
      ],
    })),
    pagination: {
      total: page.total,
      page: query.page,
      pages,
      previous: query.page > 1 ? withQuery(urls.list, query, { page: String(query.page - 1) }) : '',
      next: query.page < pages ? withQuery(urls.list, query, { page: String(query.page + 1) }) : '',
    },
  });
}

/** The ids a bulk action was sent with (`ids` once or repeated), whole numbers only. */
function idsOf(raw: unknown): number[] {
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const ids = list.map((v) =>
    typeof v === 'string' && /^[1-9]\d{0,9}$/.test(v) ? Number(v) : NaN,
  );
  if (ids.some((n) => !Number.isSafeInteger(n) || n > 2_147_483_647))
    throw new BadAction('Select objects by their ids.');
  return [...new Set(ids)];
}

/**
 * POST: runs a bulk action on the ticked objects through its handler (its own permission
 * checked), logs it on each object and goes back to the list with the handler's message.
 */
export async function runAction(request: FastifyRequest, reply: FastifyReply) {
  const model = modelOf(request);
  const body = (request.body ?? {}) as Record<string, unknown>;
  const action = (model.registration.actions ?? []).find((a) => a.name === body.action);
  if (!action) throw new BadAction(`No action '${String(body.action ?? '')}' on ${model.plural}.`);
  demand(request, action.permission ?? model.codename('change'));
  const found = await existingIds(request.em, model, idsOf(body.ids));
  const back = safeBack(request, modelUrls(request.server.tessera, model).list, body.next);
  if (!found.length) {
    if (wantsJson(request)) throw new BadAction('Select at least one object for the action.');
    request.flash('warning', 'Select at least one object for the action; nothing was changed.');
    return reply.redirectTo(back);
  }
  const ids = found.map((r) => r.id);
  const message = await action.handler(adminContext(request), ids);
  await record(
    request.em,
    found.map((r) => ({
      user: request.user!,
      model,
      objectId: r.id,
      objectRepr: r.repr,
      action: 'action' as const,
      message: action.name,
    })),
  );
  const said =
    message ||
    `${action.label}: done for ${ids.length} ${ids.length === 1 ? model.label : model.plural}.`;
  if (wantsJson(request)) return reply.send({ ids, message: said });
  request.flash('success', said);
  return reply.redirectTo(back);
}

/** Where an action goes back to: the list (or the object's page it came from), on this model only. */
function safeBack(request: FastifyRequest, list: string, next: unknown): `/${string}` {
  return (
    typeof next === 'string' && next.startsWith(`${list}/`) && /^[\w/-]+$/.test(next) ? next : list
  ) as `/${string}`;
}
