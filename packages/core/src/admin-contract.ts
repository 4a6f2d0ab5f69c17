// What an app offers the admin (`@tessera/admin`): per entity, the list page's columns, search,
// filters and ordering, the form that adds and edits (the app's own, so a site's form override
// applies there too), bulk actions, and the app's own services that load, save and delete — so
// its hooks fire as from its own pages. The admin reads these from the app's declaration and
// never imports the app; an app without the admin installed pays nothing for declaring them.
import type { FastifyRequest } from 'fastify';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CurrentUser } from './augment.ts';
import type { SiteContext } from './contract.ts';
import type { Form } from './forms.ts';

/** What an admin registration's services receive: the site, the request's EntityManager, who acts. */
export interface AdminContext {
  site: SiteContext;
  /** The request's EntityManager: a service's writes join nothing else. */
  em: EntityManager;
  /** The signed-in staff member doing it (their permission was checked). */
  user: CurrentUser;
  request: FastifyRequest;
}

/** A stored object as the admin reads it: its columns by property name (a relation: its key). */
export type AdminRow = Record<string, unknown> & { id: number };

/** The property names of an entity class's instances, for `tsc` to check a registration's fields. */
export type AdminField<E> = E extends abstract new (...args: never[]) => infer I
  ? Extract<keyof I, string>
  : string;

/**
 * A list filter beside the change list. A boolean field filters by yes/no and a date field by
 * period (today, past 7 days, this month, this year) on their own; another field needs `choices`.
 */
export interface AdminFilter<F extends string = string> {
  field: F;
  /** The heading above its choices (default: the field's name, spaced). */
  label?: string;
  /** The values to offer, `[value, label]`. */
  choices?: readonly (readonly [string, string])[];
}

/**
 * A bulk action on the objects ticked in the change list (`publish`, `mark-spam`), also offered
 * on one object's page. Its handler answers the message shown afterwards.
 */
export interface AdminAction {
  /** Its name in the form and the log: lower-case letters, digits and dashes. */
  name: string;
  /** The words on the button ("Publish selected entries"). */
  label: string;
  /** The permission it needs (default: `<app>.change_<entity>`). */
  permission?: string;
  /** Does it, through the app's own services; answers what to tell the user. */
  handler(ctx: AdminContext, ids: number[]): Promise<string | void>;
}

/** How the admin manages one of an app's entities. Every field list is checked by `tessera check`. */
export interface AdminEntity<E = unknown> {
  /** The entity's name in URLs and permissions (`entry` → `blog.change_entry`): lower-case, `_` allowed. */
  name: string;
  /** The MikroORM entity (its class) whose table the list reads. Its primary key is `id`. */
  entity: E;
  /** Singular and plural words for pages ("entry", "entries"). */
  label?: string;
  plural?: string;
  /** The change list's columns, in order (the first links to the object's page). */
  columns: readonly AdminField<E>[];
  /** The field naming one object in titles and the log (default: the first column). */
  display?: AdminField<E>;
  /** Fields the search box matches (case-insensitive, anywhere in the text). */
  search?: readonly AdminField<E>[];
  /** Filters beside the list: a field name (booleans, dates) or a filter with choices. */
  filters?: readonly (AdminField<E> | AdminFilter<AdminField<E>>)[];
  /** The default order: field names, `-` first for descending (default: `-id`). */
  ordering?: readonly (AdminField<E> | `-${AdminField<E>}`)[];
  /** Objects per list page (default: the admin's `pageSize` option). */
  pageSize?: number;
  /**
   * The form that adds and edits: the name of one of the app's options made with
   * `override.form(...)` (`'form'`, so a site's extended form applies here too), or a form of its
   * own, or a function building one for the request (choices read from the database: a group's
   * permissions). Without `save` there is none.
   */
  form?: string | Form | ((ctx: AdminContext) => Promise<Form>);
  /**
   * Fields shown on the object's page but never edited there. Without a form the page shows these,
   * or every column when none are named.
   */
  readOnly?: readonly AdminField<E>[];
  /** Bulk actions. */
  actions?: readonly AdminAction[];
  /** False to offer no "add" page (objects are made elsewhere, as tags are). */
  add?: boolean;
  /** The form's starting values for a stored object (default: its row's values, by field name). */
  initial?(ctx: AdminContext, row: AdminRow): Promise<Record<string, unknown>>;
  /**
   * Saves through the app's services (`row` null: a new object) and answers the object's id.
   * Throw `invalidForm(errors)` (or any error with field `errors`) to show them beside the fields.
   * Without it the entity is read-only in the admin.
   */
  save?(ctx: AdminContext, row: AdminRow | null, data: Record<string, unknown>): Promise<number>;
  /** Deletes through the app's services; without it the admin offers no delete. */
  delete?(ctx: AdminContext, row: AdminRow): Promise<void>;
}

/** What an app registers with the admin: the entities it offers, in the order the home page lists them. */
export interface AdminRegistration {
  entities: readonly AdminEntity[];
}

/**
 * Declares an app's admin registration, each entity's field names checked against its class:
 * `admin: defineAdmin({ entities: [{ name: 'tag', entity: Tag, columns: ['name', 'slug'] }] })`.
 */
export function defineAdmin<const T extends readonly unknown[]>(registration: {
  entities: { readonly [K in keyof T]: AdminEntity<T[K]> };
}): AdminRegistration {
  return registration as unknown as AdminRegistration;
}
