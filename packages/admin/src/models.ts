// The admin's picture of what installed apps registered: for each entity, its table and columns
// read from MikroORM's metadata, with every field the registration names resolved — and each one
// that does not resolve reported as a system check finding (`admin.E001`…) instead.
import type { FastifyRequest } from 'fastify';
import {
  checkError,
  choose,
  didYouMean,
  isForm,
  type AdminEntity,
  type AdminFilter,
  type CheckMessage,
  type Form,
  type SiteContext,
} from '@tessera/core';
import { MAX_PAGE_SIZE } from './options.ts';

/** How a field's values are shown and filtered. */
export type FieldKind = 'boolean' | 'date' | 'number' | 'text' | 'json';

/** One column of an entity's table, by property name. */
export interface ModelField {
  name: string;
  column: string;
  kind: FieldKind;
  label: string;
}

/** A list filter, resolved: its field and the choices it offers. */
export interface ModelFilter {
  field: ModelField;
  label: string;
  choices: readonly (readonly [string, string])[];
}

/** One registered entity as the admin serves it. */
export interface AdminModel {
  app: string;
  name: string;
  label: string;
  plural: string;
  registration: AdminEntity;
  table: string;
  /** Every column, by property name (`id` first). */
  fields: Map<string, ModelField>;
  columns: ModelField[];
  display: ModelField;
  search: ModelField[];
  filters: ModelFilter[];
  /** The default order: fields with their direction, then `id` as the tie-break. */
  ordering: { field: ModelField; desc: boolean }[];
  readOnly: ModelField[];
  /** The add/change form for a request (the app's, a site's extended one, or built); none without `save`. */
  form: ((request: FastifyRequest) => Promise<Form>) | undefined;
  /** `<app>.<action>_<entity>`. */
  codename(action: 'view' | 'add' | 'change' | 'delete'): string;
}

/** The periods a date filter offers (`?pubDate=7d`), newest first. */
export const DATE_CHOICES = [
  ['today', 'Today'],
  ['7d', 'Past 7 days'],
  ['month', 'This month'],
  ['year', 'This year'],
] as const;

const BOOLEAN_CHOICES = [
  ['1', 'Yes'],
  ['0', 'No'],
] as const;

/** The entity name a permission codename can carry (`entry`, `tagged_item`). */
const ENTITY_NAME = /^[a-z][a-z0-9_]*$/;
const ACTION_NAME = /^[a-z][a-z0-9-]*$/;

/** `pubDate` → `Pub date`. */
export function spaced(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1).toLowerCase();
}

function kindOf(prop: { runtimeType?: string; type?: unknown }): FieldKind {
  const t = String(prop.runtimeType ?? prop.type ?? '').toLowerCase();
  if (t === 'boolean') return 'boolean';
  if (t === 'date' || t.startsWith('datetime') || t.startsWith('timestamp')) return 'date';
  if (t === 'number' || t === 'bigint' || t === 'integer') return 'number';
  if (t === 'object' || t === 'json' || t === 'any') return 'json';
  return 'text';
}

interface Meta {
  className: string;
  tableName: string;
  primaryKeys: string[];
  props: {
    name: string;
    kind: string;
    fieldNames?: string[];
    runtimeType?: string;
    type?: unknown;
  }[];
}

/** Builds every installed app's registered models; what cannot be built is a finding instead. */
export function buildModels(site: SiteContext): { models: AdminModel[]; problems: CheckMessage[] } {
  const models: AdminModel[] = [];
  const problems: CheckMessage[] = [];
  for (const app of site.apps) {
    for (const registration of app.admin?.entities ?? []) {
      const found = buildModel(site, app.name, registration);
      if ('problems' in found) problems.push(...found.problems);
      else models.push(found.model);
    }
  }
  return { models, problems };
}

function buildModel(
  site: SiteContext,
  app: string,
  reg: AdminEntity,
): { model: AdminModel } | { problems: CheckMessage[] } {
  const at = `App '${app}': admin entity '${reg.name}'`;
  const problems: CheckMessage[] = [];
  if (!ENTITY_NAME.test(reg.name))
    return {
      problems: [
        checkError(
          'admin.E001',
          `${at} must be named with lower-case letters, digits and underscores (it goes into permission codenames).`,
        ),
      ],
    };
  const meta = site.orm.getMetadata().find(reg.entity as never) as Meta | undefined;
  if (!meta || meta.primaryKeys.join() !== 'id')
    return {
      problems: [
        checkError(
          'admin.E002',
          meta
            ? `${at}: entity ${meta.className} must have one primary key named 'id'.`
            : `${at} names an entity that is not one of the site's (is its app installed, and the entity in its \`entities\`?).`,
        ),
      ],
    };
  const fields = new Map<string, ModelField>();
  for (const prop of meta.props) {
    // Columns of the entity's own table: scalars and the key of a many-to-one.
    if (!['scalar', 'm:1', '1:1'].includes(prop.kind) || !prop.fieldNames?.length) continue;
    fields.set(prop.name, {
      name: prop.name,
      column: prop.fieldNames[0]!,
      kind: prop.kind === 'scalar' ? kindOf(prop) : 'number',
      label: spaced(prop.name),
    });
  }
  const names = [...fields.keys()];
  const field = (name: string, role: string): ModelField | undefined => {
    const f = fields.get(name);
    if (!f)
      problems.push(
        checkError(
          'admin.E003',
          `${at}: ${role} names field '${name}', which ${meta.className} does not have as a column.`,
          didYouMean(name, names).trim() || `Its columns: ${names.join(', ')}.`,
        ),
      );
    return f;
  };
  const list = (given: readonly string[] | undefined, role: string) =>
    (given ?? []).flatMap((n) => field(n, role) ?? []);

  const columns = list(reg.columns, 'columns');
  if (!reg.columns.length)
    problems.push(checkError('admin.E003', `${at}: columns must name at least one field.`));
  const display = reg.display ? field(reg.display, 'display') : columns[0];
  const search = list(reg.search, 'search');
  const readOnly = list(reg.readOnly, 'readOnly');
  const ordering = (reg.ordering ?? ['-id']).flatMap((o) => {
    const f = field(o.replace(/^-/, ''), 'ordering');
    return f ? [{ field: f, desc: o.startsWith('-') }] : [];
  });
  const filters = (reg.filters ?? []).flatMap((given) => {
    const spec: AdminFilter = typeof given === 'string' ? { field: given } : given;
    const f = field(spec.field, 'filters');
    if (!f) return [];
    const choices =
      spec.choices ??
      (f.kind === 'boolean' ? BOOLEAN_CHOICES : f.kind === 'date' ? DATE_CHOICES : undefined);
    if (!choices) {
      problems.push(
        checkError(
          'admin.E004',
          `${at}: filter '${spec.field}' needs choices: only boolean and date fields filter on their own.`,
          `Give it as { field: '${spec.field}', choices: [['value', 'Label'], …] }.`,
        ),
      );
      return [];
    }
    return [{ field: f, label: spec.label ?? f.label, choices }];
  });
  if (
    reg.pageSize !== undefined &&
    !(Number.isInteger(reg.pageSize) && reg.pageSize >= 1 && reg.pageSize <= MAX_PAGE_SIZE)
  )
    problems.push(
      checkError(
        'admin.E007',
        `${at}: pageSize ${reg.pageSize} must be a whole number from 1 to ${MAX_PAGE_SIZE}.`,
        "Leave it out to use the admin's pageSize option.",
      ),
    );
  for (const action of reg.actions ?? [])
    if (!ACTION_NAME.test(action.name))
      problems.push(
        checkError(
          'admin.E006',
          `${at}: action '${action.name}' must be named with lower-case letters, digits and dashes.`,
        ),
      );
  const form = formOf(site, app, reg, at, problems);
  if (problems.length || !display) return { problems };
  const codename = (action: string) => `${app}.${action}_${reg.name}`;
  return {
    model: {
      app,
      name: reg.name,
      label: reg.label ?? spaced(reg.name).toLowerCase(),
      plural: reg.plural ?? `${reg.label ?? spaced(reg.name).toLowerCase()}s`,
      registration: reg,
      table: meta.tableName,
      fields,
      columns,
      display,
      search,
      filters,
      ordering: [...ordering, { field: fields.get('id')!, desc: true }],
      readOnly,
      form,
      codename,
    },
  };
}

/**
 * The registration's form: a form of its own, or the app option it names (which must be a form
 * override: `override.form(...)`, so a site's extended form is what the admin shows). A `save`
 * without a form, or a form without a `save`, is a finding.
 */
function formOf(
  site: SiteContext,
  app: string,
  reg: AdminEntity,
  at: string,
  problems: CheckMessage[],
): AdminModel['form'] {
  if (reg.form === undefined) {
    if (reg.save)
      problems.push(
        checkError(
          'admin.E005',
          `${at} has a save but no form to add and edit with.`,
          "Name the app's form option (form: 'form') or give a form.",
        ),
      );
    return undefined;
  }
  if (!reg.save) {
    problems.push(
      checkError(
        'admin.E005',
        `${at} has a form but no save: the admin changes data only through the app's services.`,
      ),
    );
    return undefined;
  }
  const given = reg.form;
  if (isForm(given)) return async () => given;
  if (typeof given === 'function')
    return (request) =>
      given({ site: request.server.tessera, em: request.em, user: request.user!, request });
  const options = (site.options.get(app) ?? {}) as Record<string, unknown>;
  const value = options[given];
  if (isForm(value) || typeof value === 'function')
    return async (request) => choose(value as Form | ((r: FastifyRequest) => Form), request);
  problems.push(
    checkError(
      'admin.E005',
      `${at} names form option '${given}', which app '${app}' does not have as a form.`,
      didYouMean(
        given,
        Object.keys(options).filter((k) => isForm(options[k]) || typeof options[k] === 'function'),
      ).trim() || 'Name an option made with override.form(...), or give a form.',
    ),
  );
  return undefined;
}
