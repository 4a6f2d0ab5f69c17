import type { FastifySchemaCompiler } from 'fastify';
import { invalidForm, type FormErrors } from '@tessera/core';
import { Type, type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';

/** A tag as the API shows it. */
export const TagShape = Type.Object(
  {
    name: Type.String(),
    slug: Type.String(),
    url: Type.String({ description: "The tag's page." }),
  },
  { title: 'Tag' },
);

/** An author as the API shows it (never the email address). */
export const AuthorShape = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    url: Type.String({ description: "The author's page." }),
  },
  { title: 'Author' },
);

const entryFields = {
  id: Type.Integer(),
  slug: Type.String(),
  title: Type.String(),
  url: Type.String({ description: "The entry's page." }),
  excerpt: Type.String({ description: 'Plain text.' }),
  status: Type.Union([Type.Literal('draft'), Type.Literal('live')]),
  pubDate: Type.String({ format: 'date-time' }),
  author: Type.Union([AuthorShape, Type.Null()]),
  tags: Type.Array(TagShape),
};

/** An entry in the list. */
export const EntryShape = Type.Object(entryFields, { title: 'Entry' });

/** One entry with its body. */
export const EntryDetailShape = Type.Object(
  {
    ...entryFields,
    body: Type.String({ description: 'The markdown source.' }),
    html: Type.String({ description: 'The rendered, sanitised HTML.' }),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { title: 'EntryDetail' },
);

/** A page of the list. */
export const EntryPageShape = Type.Object(
  {
    count: Type.Integer({ description: 'Entries on every page together.' }),
    page: Type.Integer(),
    pages: Type.Integer(),
    next: Type.Union([Type.String(), Type.Null()]),
    previous: Type.Union([Type.String(), Type.Null()]),
    results: Type.Array(EntryShape),
  },
  { title: 'EntryPage' },
);

/** The list's query string. */
export const ListQuery = Type.Object(
  {
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 999_999_999 })),
    tag: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'A tag slug.' })),
    author: Type.Optional(
      // PostgreSQL's integer: a larger id cannot exist, and must not reach the query.
      Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: "An author's user id." }),
    ),
  },
  { additionalProperties: false },
);

/** The slug in a path. */
export const SlugParams = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 200 }) });

/** An RFC 9457 problem, as the site's error handler answers. */
export const ProblemShape = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    code: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Record(Type.String(), Type.Array(Type.String()))),
  },
  { title: 'Problem' },
);

/**
 * The body a create accepts: the entry form's own schema (so an extended form's fields are
 * documented and accepted too). `partial` makes every field optional (a PATCH); `open` lets
 * fields the schema does not name through, for a form chosen per request to check.
 */
export function bodyShape(
  formSchema: TSchema,
  { partial, open }: { partial: boolean; open: boolean },
): TSchema {
  const json = structuredClone(formSchema) as Record<string, unknown>;
  if (partial) delete json.required;
  return { ...json, additionalProperties: open, title: partial ? 'EntryChanges' : 'NewEntry' };
}

/**
 * Checks a request part against its TypeBox schema without changing it (no coercion, no removed
 * properties): a body of the wrong shape is refused whole with field errors (422), never half-read.
 */
export const strictValidator: FastifySchemaCompiler<TSchema> = ({ schema }) => {
  const check = Compile(schema);
  const known = new Set(Object.keys((schema as { properties?: object }).properties ?? {}));
  const open = (schema as { additionalProperties?: unknown }).additionalProperties === true;
  return (data: unknown) => {
    if (check.Check(data)) return { value: data };
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      return { error: invalidForm({ __all__: ['Send the entry as a JSON object.'] }) };
    }
    const errors: FormErrors = {};
    const unknown = open ? [] : Object.keys(data).filter((k) => !known.has(k));
    if (unknown.length)
      errors.__all__ = [
        `Unknown field${unknown.length > 1 ? 's' : ''}: ${unknown.slice(0, 5).join(', ')}.`,
      ];
    for (const e of check.Errors(data)) {
      const field = e.instancePath.split('/')[1];
      if (!field || !known.has(field) || errors[field]) continue;
      errors[field] = [
        describe((schema as { properties: Record<string, TSchema> }).properties[field]!, e),
      ];
    }
    const missing = ((schema as { required?: string[] }).required ?? []).filter(
      (k) => !(k in data),
    );
    for (const k of missing) errors[k] = ['This field is required.'];
    return { error: invalidForm(errors) };
  };
};

/** A field error a person can act on, from TypeBox's error for that field. */
function describe(schema: TSchema, error: { keyword: string; message: string }): string {
  const s = schema as { anyOf?: { const?: unknown; type?: string }[]; format?: string };
  if (s.format === 'date-time') return 'Enter a date and time in ISO 8601 (2024-05-01T09:30:00Z).';
  if (s.anyOf) {
    const consts = s.anyOf.map((x) => x.const);
    if (consts.every((c) => c !== undefined)) return `Select one of: ${consts.join(', ')}.`;
    return `Enter a value of type ${s.anyOf.map((x) => x.type ?? 'value').join(' or ')}.`;
  }
  return `This value ${error.message}.`;
}
