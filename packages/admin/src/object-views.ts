// One object's pages — add, change (or view, for an entity without a form), delete — each a core
// form view: the registration's form (the app's own), its `save`/`delete` services, a log entry
// naming the fields that changed, and a redirect back to the list.
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  NotFound,
  defineForm,
  formView,
  refuse,
  type AdminRow,
  type Form,
  type FormErrors,
} from '@tessera/core';
import { changedFields, record } from './log.ts';
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
import { objectLog, objectRow } from './reads.ts';

const OBJECT = Symbol('tessera.admin.object');
type WithObject = FastifyRequest & {
  [OBJECT]?: { row: AdminRow; initial: Record<string, unknown> };
};

/** A preHandler: the object of `:id` (a 404 when it does not exist) and its form's values. */
export async function loadObject(request: FastifyRequest): Promise<void> {
  const model = modelOf(request);
  const raw = (request.params as { id: string }).id;
  if (!/^[1-9]\d{0,9}$/.test(raw) || Number(raw) > 2_147_483_647) throw new NotFound();
  const row = await objectRow(request.em, model, Number(raw));
  if (!row) throw new NotFound();
  const initial = model.registration.initial
    ? await model.registration.initial(adminContext(request), row)
    : { ...row };
  (request as WithObject)[OBJECT] = { row, initial };
}

function objectOf(request: FastifyRequest) {
  const object = (request as WithObject)[OBJECT];
  if (!object) throw new NotFound();
  return object;
}

const FORM = Symbol('tessera.admin.form');
type WithForm = FastifyRequest & { [FORM]?: Form };

/**
 * A preHandler: the model's form for this request (a site's extended form when the app's option
 * is one; built when the registration builds it), or a 404 for a model without one.
 */
export async function loadForm(request: FastifyRequest): Promise<void> {
  const model = modelOf(request);
  if (!model.form) throw new NotFound();
  (request as WithForm)[FORM] = await model.form(request);
}

/** The form `loadForm` found for this request. */
function formFor(request: FastifyRequest): Form {
  const form = (request as WithForm)[FORM];
  if (!form) throw new NotFound();
  return form;
}

/** The field errors an app's service threw (`invalidForm(errors)`), if it threw those. */
function fieldErrors(err: unknown): FormErrors | undefined {
  const errors = (err as { errors?: unknown } | null)?.errors;
  return typeof errors === 'object' && errors !== null ? (errors as FormErrors) : undefined;
}

/** What every object page shows around its form. */
async function objectContext(request: FastifyRequest, model: AdminModel) {
  const site = request.server.tessera;
  const object = (request as WithObject)[OBJECT];
  const urls = modelUrls(site, model);
  const shownFields = (fields: Iterable<AdminModel['columns'][number]>) =>
    [...fields].map((f) => ({ label: f.label, value: shown(f, object?.row[f.name]) }));
  return {
    model,
    urls,
    can: permissionsOn(request, model),
    object: object
      ? {
          id: object.row.id,
          title: shown(model.display, object.row[model.display.name]),
          url: urls.change(object.row.id),
          // Without a form the page is the object: its read-only fields, else every column.
          readOnly: shownFields(
            model.form || model.readOnly.length ? model.readOnly : model.fields.values(),
          ),
        }
      : null,
    actions: object
      ? actionsFor(request, model).map((a) => ({ name: a.name, label: a.label }))
      : [],
    history: object ? await objectLog(request.em, model, object.row.id) : [],
  };
}

/** The add and change pages: one core form view each, posting to themselves. */
function objectForm(page: 'add' | 'change') {
  return formView({
    form: formFor,
    template: (request) => pageTemplate(request.server.tessera, modelOf(request), 'change_form'),
    context: (request) => objectContext(request, modelOf(request)),
    initial: (request) => (page === 'add' ? {} : objectOf(request).initial),
    async action(request, data) {
      const model = modelOf(request);
      demand(request, model.codename(page));
      const before = page === 'add' ? null : objectOf(request);
      let id: number;
      try {
        id = await model.registration.save!(adminContext(request), before?.row ?? null, data);
      } catch (err) {
        const errors = fieldErrors(err);
        if (errors) return refuse(errors);
        throw err;
      }
      const after = await objectRow(request.em, model, id);
      const repr = after ? shown(model.display, after[model.display.name]) : String(id);
      const changed = before
        ? changedFields(formFor(request), before.initial, data)
        : Object.keys(data);
      await record(request.em, [
        { user: request.user!, model, objectId: id, objectRepr: repr, action: page, changed },
      ]);
      request.flash(
        'success',
        `${page === 'add' ? 'Added' : 'Saved'} the ${model.label} “${repr}”.`,
      );
      return { model, id };
    },
    successRedirect: (request, result) => modelUrls(request.server.tessera, result.model).list,
  });
}

const add = objectForm('add');
const change = objectForm('change');

/** A preHandler: the add permission, on a model with a form that offers adding. */
export async function canAdd(request: FastifyRequest): Promise<void> {
  const model = modelOf(request);
  if (!model.form || model.registration.add === false) throw new NotFound();
  demand(request, model.codename('add'));
  await loadForm(request);
}

export const addPage = add.get;
export const addObject = add.post;

/** GET an object: its form, or (no form, or no change permission) its fields read-only. */
export async function changePage(request: FastifyRequest, reply: FastifyReply) {
  const model = modelOf(request);
  if (model.form && request.user!.hasPermission(model.codename('change'))) {
    await loadForm(request);
    return change.get(request, reply);
  }
  return reply.render(pageTemplate(request.server.tessera, model, 'change_form'), {
    ...(await objectContext(request, model)),
    form: null,
  });
}

/** POST an object's form. */
export async function changeObject(request: FastifyRequest, reply: FastifyReply) {
  await loadForm(request);
  return change.post(request, reply);
}

/** The delete confirmation: no fields of its own, only the CSRF token and the button. */
const confirmDeleteForm = defineForm({ name: 'confirm-delete', fields: {} });

const remove = formView({
  form: confirmDeleteForm,
  template: (request) =>
    pageTemplate(request.server.tessera, modelOf(request), 'delete_confirmation'),
  context: (request) => objectContext(request, modelOf(request)),
  async action(request) {
    const model = modelOf(request);
    const { row } = objectOf(request);
    await model.registration.delete!(adminContext(request), row);
    const repr = shown(model.display, row[model.display.name]);
    await record(request.em, [
      { user: request.user!, model, objectId: row.id, objectRepr: repr, action: 'delete' },
    ]);
    request.flash('success', `Deleted the ${model.label} “${repr}”.`);
    return model;
  },
  successRedirect: (request, model) => modelUrls(request.server.tessera, model).list,
});

/** A preHandler: the delete permission, on a model whose app offers delete. */
export async function canDelete(request: FastifyRequest): Promise<void> {
  const model = modelOf(request);
  if (!model.registration.delete) throw new NotFound();
  demand(request, model.codename('delete'));
}

export const deletePage = remove.get;
export const deleteObject = remove.post;
