// Form fields: each a TypeBox schema (for OpenAPI and JSON clients), metadata for the widget
// that draws it, and a parse step that turns what a browser or a JSON client sent into a clean
// value or a message for the user.
import { Type, type TSchema } from 'typebox';

/** How a field is drawn; the core `core/fields.njk` macros know each one. */
export type Widget =
  | 'text'
  | 'email'
  | 'password'
  | 'textarea'
  | 'number'
  | 'checkbox'
  | 'select'
  | 'checkboxes'
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

/** The last value of a repeated input, or the value itself. */
export function single(raw: unknown): unknown {
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
      // A time without an offset is UTC, as the widget shows it (a `datetime-local` input sends
      // none): read as the server's local time, each save would move it by the zone's offset.
      const given = v.trim().replace(' ', 'T');
      const d = new Date(/T[\d:.]+$/.test(given) ? `${given}Z` : given);
      const y = d.getUTCFullYear();
      if (Number.isNaN(d.getTime()) || y < 1900 || y > 9999)
        return { error: 'Enter a valid date and time.' };
      return { value: d };
    },
  }),
  /**
   * Any number of choices, one checkbox each (`name=a&name=b`, or a JSON array): the values ticked,
   * in the choices' order. Optional unless `required: true` (then at least one).
   */
  multipleChoice: <C extends string>(
    o: FieldOptions & { choices: readonly (readonly [C, string])[] },
  ): Field<C[]> => ({
    schema: Type.Array(
      o.choices.length ? Type.Union(o.choices.map(([value]) => Type.Literal(value))) : Type.Never(),
      { uniqueItems: true },
    ),
    label: o.label,
    widget: 'checkboxes',
    help: o.help,
    required: o.required ?? false,
    choices: o.choices,
    parse: (raw) => {
      const given = raw === undefined || raw === null || raw === '' ? [] : [raw].flat();
      const wrong = given.find((v) => !o.choices.some(([value]) => value === v));
      if (wrong !== undefined)
        return {
          error: `Select a valid choice. ${describeChoice(wrong)} is not one of the available choices.`,
        };
      const value = o.choices.map(([c]) => c).filter((c) => given.includes(c));
      if ((o.required ?? false) && !value.length) return { error: 'This field is required.' };
      return { value };
    },
  }),
  /** A field of your own: give it a schema, metadata and a parse step. */
  custom: <T>(f: Field<T>): Field<T> => f,
};

function describeChoice(v: unknown): string {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return `"${s.slice(0, 50)}"`;
}
