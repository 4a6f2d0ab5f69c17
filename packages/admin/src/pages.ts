// What every admin page shares: the model a URL names (or a 404), the permission checks, the
// template a page renders (per entity, per app, then the admin's own), and how values show.
import type { FastifyRequest } from 'fastify';
import { PermissionDenied } from '@tessera/auth';
import { NotFound, type AdminContext, type SiteContext } from '@tessera/core';
import type { AdminModel, ModelField } from './models.ts';
import { adminOf } from './runtime.ts';

const MODEL = Symbol('tessera.admin.model');
type WithModel = FastifyRequest & { [MODEL]?: AdminModel };

/** The model named by `:app` and `:entity`, loaded by `loadModel`. */
export function modelOf(request: FastifyRequest): AdminModel {
  const model = (request as WithModel)[MODEL];
  if (!model) throw new NotFound();
  return model;
}

/** A preHandler: the registered model of `:app/:entity`, or a 404. */
export async function loadModel(request: FastifyRequest): Promise<void> {
  const { app, entity } = request.params as { app: string; entity: string };
  const model = adminOf(request.server.tessera).model(app, entity);
  if (!model) throw new NotFound();
  (request as WithModel)[MODEL] = model;
}

/** True when the user may see the model's objects: its view or its change permission. */
export function canView(request: FastifyRequest, model: AdminModel): boolean {
  const user = request.user;
  return (
    !!user &&
    (user.hasPermission(model.codename('view')) || user.hasPermission(model.codename('change')))
  );
}

/** Refuses (403, auth's error) a user without `codename`. */
export function demand(request: FastifyRequest, codename: string): void {
  if (!request.user?.hasPermission(codename))
    throw new PermissionDenied(`You need the permission ${codename} for this.`);
}

/** A preHandler: the model's view (or change) permission. */
export async function requireView(request: FastifyRequest): Promise<void> {
  const model = modelOf(request);
  if (!canView(request, model))
    throw new PermissionDenied(
      `You need the permission ${model.codename('view')} or ${model.codename('change')} for this.`,
    );
}

/** What a registration's services receive for this request. */
export function adminContext(request: FastifyRequest): AdminContext {
  return { site: request.server.tessera, em: request.em, user: request.user!, request };
}

/**
 * The template of `page` for `model`: `admin/<app>/<entity>/<page>.njk`, else
 * `admin/<app>/<page>.njk`, else `admin/<page>.njk` — the first the search path has (the site's
 * templates first, as for any template). Remembered unless the site runs in debug.
 */
export function pageTemplate(
  site: SiteContext,
  model: AdminModel | undefined,
  page: string,
): string {
  const key = `${model?.app}/${model?.name}/${page}`;
  const chosen = adminOf(site).templates;
  const known = chosen.get(key);
  if (known && !site.settings.debug && site.templates.resolve(known)) return known;
  const candidates = model
    ? [`admin/${model.app}/${model.name}/${page}.njk`, `admin/${model.app}/${page}.njk`]
    : [];
  const name = candidates.find((c) => site.templates.resolve(c)) ?? `admin/${page}.njk`;
  chosen.set(key, name);
  return name;
}

/** How a stored value shows in a list cell or a read-only field. */
export function shown(field: ModelField, value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (field.kind === 'boolean') return value ? 'Yes' : 'No';
  if (field.kind === 'date') {
    const d = value instanceof Date ? value : new Date(String(value));
    return Number.isNaN(d.getTime())
      ? String(value)
      : d.toISOString().slice(0, 16).replace('T', ' ');
  }
  if (field.kind === 'json') {
    // A document of fields (a contact message's): one `name: value` a line.
    if (typeof value !== 'object' || Array.isArray(value)) return JSON.stringify(value);
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join('\n');
  }
  return String(value);
}

/** The URLs of a model's pages, for templates. */
export function modelUrls(site: SiteContext, model: AdminModel) {
  const at = { app: model.app, entity: model.name };
  return {
    list: site.url('admin:change-list', at),
    add: site.url('admin:add', at),
    change: (id: number) => site.url('admin:change', { ...at, id }),
    delete: (id: number) => site.url('admin:delete', { ...at, id }),
  };
}

/** The user's permissions on a model, for templates (buttons they may use). */
export function permissionsOn(request: FastifyRequest, model: AdminModel) {
  const user = request.user!;
  const reg = model.registration;
  return {
    add: !!model.form && reg.add !== false && user.hasPermission(model.codename('add')),
    change: !!model.form && user.hasPermission(model.codename('change')),
    delete: !!reg.delete && user.hasPermission(model.codename('delete')),
  };
}

/** The actions a user may run on a model. */
export function actionsFor(request: FastifyRequest, model: AdminModel) {
  return (model.registration.actions ?? []).filter((a) =>
    request.user!.hasPermission(a.permission ?? model.codename('change')),
  );
}
