// Forms: fields under a name, a parse that checks every field and then the form's `clean` steps,
// and the bound form templates draw (values, errors). Extend one with `form.extend({...})`.
import { Type, type TSchema } from 'typebox';
import { ImproperlyConfigured } from './errors.ts';
import { single, type Field, type Widget } from './fields.ts';

type FieldsShape = Record<string, Field<unknown>>;

/** The clean data a form yields: each field's parsed value. */
export type FormData<F extends FieldsShape> = {
  [K in keyof F]: F[K] extends Field<infer T> ? T : never;
};

/** Field errors by field name, plus `__all__` for errors about the whole form. */
export type FormErrors = Record<string, string[]>;

/** A form's extra check after every field parsed: return errors to reject. */
export type CleanStep<D> = (data: D) => FormErrors | void | Promise<FormErrors | void>;

/** Names a form accepts beyond its fields (the CSRF token, the honeypot, submit buttons). */
export const RESERVED_INPUTS = new Set(['_csrf', 'csrf_token', 'submit', 'next']);

/** A form: fields in order with metadata, a TypeBox schema, and `parse`. Extend it with `extend`. */
export class Form<F extends FieldsShape = FieldsShape> {
  readonly name: string;
  readonly fields: F;
  // Typed without F so a form with more fields is still a `Form` (an app's `form` option).
  readonly #clean: CleanStep<never>[];
  readonly #accept: ReadonlySet<string>;

  constructor(
    name: string,
    fieldSet: F,
    clean: CleanStep<FormData<F>>[] = [],
    accept: Iterable<string> = [],
  ) {
    this.name = name;
    this.fields = fieldSet;
    this.#clean = clean;
    this.#accept = new Set(accept);
  }

  /** The JSON schema of the form's data (OpenAPI docs, JSON clients). */
  get schema(): TSchema {
    const props: Record<string, TSchema> = {};
    for (const [key, f] of Object.entries(this.fields)) {
      const described = Object.assign({}, f.schema, {
        title: f.label,
        ...(f.help ? { description: f.help } : {}),
      });
      // Only required fields are required in the schema (Type.Object requires every other one).
      props[key] = f.required ? described : Type.Optional(described);
    }
    return Type.Object(props as never, {
      additionalProperties: false,
      title: this.name,
    }) as TSchema;
  }

  /**
   * A new form with more (or replaced) fields and another clean step; the app's template still
   * renders it. New fields come last unless `order` says otherwise: the names it lists come first,
   * in its order, and the rest follow in the order they had (Django's `field_order`).
   */
  extend<E extends FieldsShape>(spec: {
    name?: string;
    fields?: E;
    clean?: CleanStep<FormData<F & E>>;
    accept?: string[];
    order?: readonly Extract<keyof F | keyof E, string>[];
  }): Form<Omit<F, keyof E> & E> {
    const all: FieldsShape = { ...this.fields, ...(spec.fields ?? {}) };
    const merged = (spec.order ? inOrder(all, spec.order) : all) as unknown as Omit<F, keyof E> & E;
    const steps = [...this.#clean, ...(spec.clean ? [spec.clean] : [])] as CleanStep<
      FormData<Omit<F, keyof E> & E>
    >[];
    return new Form(spec.name ?? this.name, merged, steps, [
      ...this.#accept,
      ...(spec.accept ?? []),
    ]);
  }

  /** Parses submitted input: clean data, or field errors with the submitted values kept. */
  async parse(
    input: unknown,
  ): Promise<
    | { ok: true; data: FormData<F> }
    | { ok: false; errors: FormErrors; values: Record<string, unknown> }
  > {
    const body =
      typeof input === 'object' && input !== null && !Array.isArray(input)
        ? (input as Record<string, unknown>)
        : null;
    const values: Record<string, unknown> = {};
    const errors: FormErrors = {};
    if (!body)
      return { ok: false, errors: { __all__: ['Send the form fields as an object.'] }, values };
    const data: Record<string, unknown> = {};
    for (const [key, f] of Object.entries(this.fields)) {
      const raw = body[key];
      values[key] =
        f.widget === 'password' ? '' : f.widget === 'checkboxes' ? echoAll(raw) : echo(single(raw));
      const r = f.parse(raw);
      if ('error' in r) errors[key] = [r.error];
      else data[key] = r.value;
    }
    const unknown = Object.keys(body).filter(
      (k) => !(k in this.fields) && !RESERVED_INPUTS.has(k) && !this.#accept.has(k),
    );
    if (unknown.length) {
      errors.__all__ = [
        `Unknown field${unknown.length > 1 ? 's' : ''}: ${unknown
          .slice(0, 5)
          .map((k) => k.slice(0, 40))
          .join(', ')}.`,
      ];
    }
    if (Object.keys(errors).length) return { ok: false, errors, values };
    for (const step of this.#clean) {
      const more = await step(data as never);
      if (more && Object.keys(more).length) return { ok: false, errors: more, values };
    }
    return { ok: true, data: data as FormData<F> };
  }

  /** The form as templates see it: fields in order with value, errors and metadata. */
  bind(values: Record<string, unknown> = {}, errors: FormErrors = {}): BoundForm {
    return {
      name: this.name,
      errors: errors.__all__ ?? [],
      fields: Object.entries(this.fields).map(([name, f]) => ({
        name,
        id: `id_${name}`,
        label: f.label,
        widget: f.widget,
        help: f.help ?? '',
        required: f.required,
        choices: f.choices ?? [],
        attrs: f.attrs ?? {},
        value: f.format ? f.format(values[name]) : displayValue(values[name]),
        selected: selectedOf(values[name]),
        errors: errors[name] ?? [],
      })),
    };
  }
}

/** The fields with `order`'s names first, in its order, then the others as they were. */
function inOrder(fieldSet: FieldsShape, order: readonly string[]): FieldsShape {
  const unknown = order.filter((name) => !Object.hasOwn(fieldSet, name));
  if (unknown.length)
    throw new ImproperlyConfigured(
      `A form's field order names fields it does not have: ${unknown.join(', ')} (it has ${Object.keys(fieldSet).join(', ')}).`,
    );
  const out: FieldsShape = {};
  for (const name of [...order, ...Object.keys(fieldSet)]) out[name] ??= fieldSet[name]!;
  return out;
}

/**
 * What a form sent back with its errors may show of a submitted value: text, a number or a flag.
 * An object a client sent instead (`{"name": {"toString": 1}}`) shows as nothing: printing it
 * would throw.
 */
function echo(v: unknown): unknown {
  if (v === undefined || v === null) return v;
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : '';
}

/** What a multiple-choice field sent back with its errors may show: its text values. */
function echoAll(v: unknown): string[] {
  return [v ?? []].flat().filter((x): x is string => typeof x === 'string');
}

/** The values a multiple-choice widget shows ticked. */
function selectedOf(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : [];
}

function displayValue(v: unknown): string | boolean {
  if (v instanceof Date) return v.toISOString().slice(0, 16);
  if (typeof v === 'boolean') return v;
  if (v === undefined || v === null) return '';
  return String(v);
}

/** A form ready for a template: render it with `{{ forms.fields(form) }}` from `core/forms.njk`. */
export interface BoundForm {
  name: string;
  errors: string[];
  fields: {
    name: string;
    id: string;
    label: string;
    widget: Widget;
    help: string;
    required: boolean;
    choices: readonly (readonly [string, string])[];
    attrs: Readonly<Record<string, string | number | boolean>>;
    value: string | boolean;
    /** The values ticked, for a multiple-choice field (`checkboxes`); empty for the others. */
    selected: string[];
    errors: string[];
  }[];
}

/** Declares a form: `defineForm({ name: 'contact', fields: { email: fields.email({ label: 'Email' }) } })`. */
export function defineForm<F extends FieldsShape>(spec: {
  name: string;
  fields: F;
  clean?: CleanStep<FormData<F>>;
  accept?: string[];
}): Form<F> {
  return new Form(spec.name, spec.fields, spec.clean ? [spec.clean] : [], spec.accept ?? []);
}
