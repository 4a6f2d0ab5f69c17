// The override points an app offers a site, one helper per kind: a redirect (a route name, a
// path, or a function of the request and the result), a template (a name or a function of the
// request), a form (one extended from the app's own). Each is a TypeBox schema for the app's
// options, typed so `tsc` refuses a wrong route name or a form of another shape, and checked
// again at boot — from JavaScript too — with the app, the option and the closest valid value.
import type { FastifyRequest } from 'fastify';
import { Type, type TSchema } from 'typebox';
import { checkError, formatCheck, type CheckMessage } from './checks.ts';
import { closest, didYouMean } from './did-you-mean.ts';
import { ImproperlyConfigured } from './errors.ts';
import type { Field } from './fields.ts';
import { Form } from './forms.ts';
import type { RedirectTarget } from './urls.ts';

/** A template name, or a function of the request answering one. */
export type TemplateChoice = string | ((request: FastifyRequest) => string);

/** The fields of a form type. */
export type FieldsOf<B> = B extends Form<infer F> ? F : never;

/** A form with at least `base`'s fields (made with `base.extend(...)`), or a function answering one. */
export type FormChoice<B extends Form> =
  | Form<FieldsOf<B> & Record<string, Field<unknown>>>
  | ((request: FastifyRequest) => Form<FieldsOf<B> & Record<string, Field<unknown>>>);

/** The kinds of override point, as a schema's `tessera` annotation records them. */
export type OverrideKind = 'redirect' | 'template' | 'form';

interface OverrideAnnotation {
  tessera: { override: OverrideKind; base?: Form };
}

/** The override-point schemas apps use in their options (`successRedirect: override.redirect(...)`). */
export const override = {
  /** A redirect option with its default: a route name, a path or a function. */
  redirect<R = unknown>(defaultTarget: RedirectTarget<R>) {
    return Type.Unsafe<RedirectTarget<R>>({
      default: asDefault(defaultTarget),
      tessera: { override: 'redirect' },
    });
  },
  /** A template option with its default: a name, or a function of the request. */
  template(defaultName: TemplateChoice) {
    return Type.Unsafe<TemplateChoice>({
      default: asDefault(defaultName),
      tessera: { override: 'template' },
    });
  },
  /** A form option: `base` itself by default, or any form extended from it. */
  form<B extends Form>(base: B) {
    return Type.Unsafe<FormChoice<B>>({
      default: base,
      tessera: { override: 'form', base },
    });
  },
};

/** A schema default: TypeBox calls a function default to make the value, so a function is wrapped. */
function asDefault<T>(value: T): T | (() => T) {
  return typeof value === 'function' ? () => value : value;
}

/** What a value-or-function option answers for this request. */
export function choose<T>(value: T | ((request: FastifyRequest) => T), request: FastifyRequest): T {
  return typeof value === 'function' ? (value as (request: FastifyRequest) => T)(request) : value;
}

/** One override point of an installed app, as resolved: for the checks that need the site. */
export interface OverridePoint {
  app: string;
  option: string;
  kind: OverrideKind;
  value: unknown;
}

/** The override points in an app's options schema, with the values the site resolved them to. */
export function overridePoints(
  app: string,
  schema: TSchema,
  options: Record<string, unknown>,
): OverridePoint[] {
  const properties = (schema as { properties?: Record<string, TSchema> }).properties ?? {};
  return Object.entries(properties).flatMap(([option, s]) => {
    const kind = (s as Partial<OverrideAnnotation>).tessera?.override;
    return kind ? [{ app, option, kind, value: options[option] }] : [];
  });
}

/** True for a form made with `defineForm`/`extend` (by shape: another copy of core makes another class). */
export function isForm(value: unknown): value is Form {
  if (value instanceof Form) return true;
  const v = value as Partial<Form> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.name === 'string' &&
    typeof v.fields === 'object' &&
    typeof v.parse === 'function' &&
    typeof v.bind === 'function'
  );
}

/** The shape checks of an app's override points that need nothing of the site (boot, first step). */
export function checkOverrideShapes(
  app: string,
  schema: TSchema,
  options: Record<string, unknown>,
): CheckMessage[] {
  const properties = (schema as { properties?: Record<string, TSchema> }).properties ?? {};
  return overridePoints(app, schema, options).flatMap(({ option, kind, value }) => {
    const at = `App '${app}': option '${option}'`;
    if (typeof value === 'function') return [];
    if (kind === 'form') {
      const base = (properties[option] as Partial<OverrideAnnotation>).tessera?.base;
      if (!isForm(value))
        return [
          checkError(
            'tessera.E005',
            `${at} must be a form made with defineForm() or ${base?.name ?? 'the app’s form'}.extend() (got ${typeof value}).`,
          ),
        ];
      const wrong = base ? notExtending(at, base, value) : undefined;
      return wrong ? [wrong] : [];
    }
    if (typeof value !== 'string' || value.length === 0)
      return [
        checkError(
          'tessera.E005',
          `${at} must be a ${kind === 'redirect' ? 'route name, a path' : 'template name'} or a function (got ${typeof value}).`,
        ),
      ];
    return [];
  });
}

/**
 * E007 when `form` lacks a field of `base` (the app's views read them), with the form's own
 * fields that look like the missing ones ("did you mean").
 */
function notExtending(at: string, base: Form, form: Form): CheckMessage | undefined {
  const missing = Object.keys(base.fields).filter((f) => !(f in form.fields));
  if (!missing.length) return undefined;
  const extra = Object.keys(form.fields).filter((f) => !(f in base.fields));
  const guesses = missing.flatMap((f) => {
    const near = closest(f, extra);
    return near ? [`'${near}' for '${f}'`] : [];
  });
  return checkError(
    'tessera.E007',
    `${at} must extend the app's form '${base.name}', but form '${form.name}' lacks ${missing.map((f) => `'${f}'`).join(', ')}.`,
    `${guesses.length ? `Did you mean ${guesses.join(', ')}? ` : ''}Make it with ${base.name}.extend({ fields: { … } }): the app's views read those fields.`,
  );
}

/**
 * A form option given as a function is checked each time it answers, as a form given as a value
 * is at boot: a form that does not extend the app's fails the request (500, E007's message)
 * rather than reaching a view that reads fields it lacks. Answers `options` with those
 * functions wrapped.
 */
export function checkFormFunctions(
  app: string,
  schema: TSchema,
  options: Record<string, unknown>,
): Record<string, unknown> {
  const properties = (schema as { properties?: Record<string, TSchema> }).properties ?? {};
  for (const { option, kind, value } of overridePoints(app, schema, options)) {
    const base = (properties[option] as Partial<OverrideAnnotation>).tessera?.base;
    if (kind !== 'form' || !base || typeof value !== 'function') continue;
    const at = `App '${app}': the form option '${option}' (a function)`;
    const answer = value as (request: FastifyRequest) => unknown;
    options[option] = function checkedForm(request: FastifyRequest) {
      const form = answer(request);
      if (!isForm(form))
        throw new ImproperlyConfigured(`${at} must answer a form (got ${typeof form}).`);
      const wrong = notExtending(at, base, form);
      if (wrong) throw new ImproperlyConfigured(formatCheck(wrong));
      return form;
    };
  }
  return options;
}

/**
 * The checks of an app's override points that need the mounted site: a redirect's route name
 * exists and needs no parameters (E008), a template exists on the search path (E009).
 */
export function checkOverrideTargets(
  points: readonly OverridePoint[],
  site: {
    routes: { has(name: string): boolean; list(): { name: string; path: string }[] };
    templates: { resolve(name: string): unknown; list(): { name: string }[] };
  },
): CheckMessage[] {
  const found: CheckMessage[] = [];
  for (const { app, option, kind, value } of points) {
    if (typeof value !== 'string') continue;
    const at = `App '${app}': option '${option}'`;
    if (kind === 'redirect' && !value.startsWith('/')) {
      const route = site.routes.list().find((r) => r.name === value);
      if (!route) {
        const names = site.routes.list().map((r) => r.name);
        found.push(
          checkError(
            'tessera.E008',
            `${at} names route '${value}', which no installed app or the site declares.`,
            didYouMean(value, names).trim() ||
              'Use a route name from `tessera routes`, a path starting with /, or a function.',
          ),
        );
      } else if (/:[A-Za-z0-9_]+(?!\?)/.test(route.path.replace(/:[A-Za-z0-9_]+\?/g, ''))) {
        found.push(
          checkError(
            'tessera.E008',
            `${at} names route '${value}' (${route.path}), which needs parameters a redirect by name cannot give.`,
            'Use a function of (request, result) that builds the path with site.url().',
          ),
        );
      }
    }
    if (kind === 'template' && !site.templates.resolve(value)) {
      found.push(
        checkError(
          'tessera.E009',
          `${at} names template '${value}', which is not on the template search path.`,
          didYouMean(
            value,
            site.templates.list().map((t) => t.name),
          ).trim() || 'Run `tessera templates` to list them.',
        ),
      );
    }
  }
  return found;
}
