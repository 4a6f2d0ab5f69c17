import { Type, type TSchema } from 'typebox';
import { ImproperlyConfigured } from './errors.ts';

/** How a field is drawn; the core `core/fields.njk` macros know each one. */
export type Widget =
  | 'text'
  | 'email'
  | 'password'
  | 'textarea'
  | 'number'
  | 'checkbox'
  | 'select'
  | 'datetime'
  | 'hidden'
  | 'url';

/** A field's parse step: a clean value, or a message for the user. */
export type FieldParse<T> = (raw: unknown) => { value: T } | { error: string };

/** A form field: its TypeBox schema (for OpenAPI and JSON), its metadata, and its parse step. */
export interface Field<T = unknown> {
  readonly schema: TSchema;
  readonly label: string;
  readonly widget: Widget;
  readonly help?: string;
  readonly required: boolean;
  readonly choices?: readonly (readonly [string, string])[];
  readonly attrs?: Readonly<Record<string, string | number | boolean>>;
  readonly parse: FieldParse<T>;
  /** How a bound value shows in the widget (a list of tags as `a, "multi word"`); default: as text. */
  readonly format?: (value: unknown) => string;
}

interface FieldOptions {
  label: string;
  help?: string;
  required?: boolean;
}

interface TextOptions extends FieldOptions {
  maxLength?: number;
  minLength?: number;
  /** Keep surrounding white space (passwords); trimmed by default. */
  strip?: boolean;
}

/** The longest text any text field accepts unless it says otherwise. */
export const DEFAULT_MAX_LENGTH = 255;
/** The longest text a textarea accepts unless it says otherwise. */
export const DEFAULT_TEXTAREA_MAX_LENGTH = 10_000;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
/** Half of a UTF-16 pair (JSON can carry one); PostgreSQL cannot store it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;

function single(raw: unknown): unknown {
  return Array.isArray(raw) ? raw.at(-1) : raw;
}

function textParse(o: TextOptions, multiline: boolean): FieldParse<string> {
  const max = o.maxLength ?? (multiline ? DEFAULT_TEXTAREA_MAX_LENGTH : DEFAULT_MAX_LENGTH);
  const required = o.required ?? true;
  return (raw) => {
    const v = single(raw);
    if (v !== undefined && v !== null && typeof v !== 'string' && typeof v !== 'number') {
      return { error: 'Enter text.' };
    }
    let s = v === undefined || v === null ? '' : String(v);
    if (o.strip !== false) s = s.trim();
    if (s.includes('\uFFFD') || LONE_SURROGATE.test(s))
      return { error: 'This field contains characters that are not valid text.' };
    if (CONTROL.test(s) || (!multiline && /[\r\n]/.test(s))) {
      return { error: 'This field contains characters that are not allowed.' };
    }
    if (s === '') return required ? { error: 'This field is required.' } : { value: '' };
    if ([...s].length > max) return { error: `Ensure this value has at most ${max} characters.` };
    if (o.minLength && [...s].length < o.minLength) {
      return { error: `Ensure this value has at least ${o.minLength} characters.` };
    }
    return { value: s };
  };
}

function textField(widget: Widget, o: TextOptions, multiline = false): Field<string> {
  const max = o.maxLength ?? (multiline ? DEFAULT_TEXTAREA_MAX_LENGTH : DEFAULT_MAX_LENGTH);
  return {
    schema: Type.String({ maxLength: max, ...(o.minLength ? { minLength: o.minLength } : {}) }),
    label: o.label,
    widget,
    help: o.help,
    required: o.required ?? true,
    attrs: { maxlength: max },
    parse: textParse(o, multiline),
  };
}

/** Field builders: `fields.text({ label: 'Name' })`. Every field is required unless `required: false`. */
export const fields = {
  text: (o: TextOptions): Field<string> => textField('text', o),
  textarea: (o: TextOptions): Field<string> => textField('textarea', o, true),
  password: (o: TextOptions): Field<string> => ({
    ...textField('password', { maxLength: 1024, ...o, strip: false }),
  }),
  hidden: (o: TextOptions): Field<string> => textField('hidden', { required: false, ...o }),
  email: (o: FieldOptions): Field<string> => {
    const base = textParse({ ...o, maxLength: 254 }, false);
    return {
      schema: Type.String({ format: 'email', maxLength: 254 }),
      label: o.label,
      widget: 'email',
      help: o.help,
      required: o.required ?? true,
      attrs: { maxlength: 254 },
      parse: (raw) => {
        const r = base(raw);
        if ('error' in r || r.value === '') return r;
        return EMAIL.test(r.value) ? r : { error: 'Enter a valid email address.' };
      },
    };
  },
  url: (o: FieldOptions): Field<string> => {
    const base = textParse({ ...o, maxLength: 2000 }, false);
    return {
      schema: Type.String({ format: 'uri', maxLength: 2000 }),
      label: o.label,
      widget: 'url',
      help: o.help,
      required: o.required ?? true,
      parse: (raw) => {
        const r = base(raw);
        if ('error' in r || r.value === '') return r;
        return /^https?:\/\/[^\s/]+/i.test(r.value) ? r : { error: 'Enter a valid URL.' };
      },
    };
  },
  integer: (o: FieldOptions & { min?: number; max?: number }): Field<number | null> => ({
    schema: Type.Integer({ minimum: o.min, maximum: o.max }),
    label: o.label,
    widget: 'number',
    help: o.help,
    required: o.required ?? true,
    parse: (raw) => {
      const v = single(raw);
      if (v === undefined || v === null || v === '') {
        return (o.required ?? true) ? { error: 'This field is required.' } : { value: null };
      }
      const n =
        typeof v === 'number'
          ? v
          : typeof v === 'string' && /^-?\d{1,15}$/.test(v.trim())
            ? Number(v)
            : NaN;
      if (!Number.isSafeInteger(n)) return { error: 'Enter a whole number.' };
      if (o.min !== undefined && n < o.min)
        return { error: `Ensure this value is at least ${o.min}.` };
      if (o.max !== undefined && n > o.max)
        return { error: `Ensure this value is at most ${o.max}.` };
      return { value: n };
    },
  }),
  checkbox: (o: FieldOptions): Field<boolean> => ({
    schema: Type.Boolean(),
    label: o.label,
    widget: 'checkbox',
    help: o.help,
    required: o.required ?? false,
    parse: (raw) => {
      const v = single(raw);
      const on = v === true || v === 'on' || v === 'true' || v === '1' || v === 1;
      const off =
        v === undefined ||
        v === null ||
        v === false ||
        v === '' ||
        v === 'false' ||
        v === '0' ||
        v === 0;
      if (!on && !off) return { error: 'Enter yes or no.' };
      if ((o.required ?? false) && !on) return { error: 'This field is required.' };
      return { value: on };
    },
  }),
  choice: <C extends string>(
    o: FieldOptions & { choices: readonly (readonly [C, string])[] },
  ): Field<C> => ({
    schema: Type.Union(o.choices.map(([value]) => Type.Literal(value))),
    label: o.label,
    widget: 'select',
    help: o.help,
    required: o.required ?? true,
    choices: o.choices,
    parse: (raw) => {
      const v = single(raw);
      if ((v === undefined || v === '') && !(o.required ?? true)) return { value: '' as C };
      const hit = o.choices.find(([value]) => value === v);
      return hit
        ? { value: hit[0] }
        : {
            error: `Select a valid choice. ${describeChoice(v)} is not one of the available choices.`,
          };
    },
  }),
  datetime: (o: FieldOptions): Field<Date | null> => ({
    schema: Type.String({ format: 'date-time' }),
    label: o.label,
    widget: 'datetime',
    help: o.help,
    required: o.required ?? true,
    parse: (raw) => {
      const v = single(raw);
      if (v === undefined || v === null || v === '') {
        return (o.required ?? true) ? { error: 'This field is required.' } : { value: null };
      }
      if (
        typeof v !== 'string' ||
        !/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(
          v.trim(),
        )
      ) {
        return { error: 'Enter a valid date and time (YYYY-MM-DDTHH:MM).' };
      }
      const d = new Date(v.trim());
      const y = d.getUTCFullYear();
      if (Number.isNaN(d.getTime()) || y < 1900 || y > 9999)
        return { error: 'Enter a valid date and time.' };
      return { value: d };
    },
  }),
  /** A field of your own: give it a schema, metadata and a parse step. */
  custom: <T>(f: Field<T>): Field<T> => f,
};

function describeChoice(v: unknown): string {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return `"${s.slice(0, 50)}"`;
}

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
      values[key] = f.widget === 'password' ? '' : echo(single(raw));
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
