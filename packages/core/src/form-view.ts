// One form view for every app: GET renders the form, POST parses it, runs the app's action and
// redirects — or answers again with the errors next to the fields (HTML), or as a problem body
// (JSON clients). Auth's views, the contact form and the blog's editing pages are all this.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { problem } from './error-pages.ts';
import { wantsJson } from './error-pages.ts';
import { InvalidForm } from './errors.ts';
import type { Form, FormData, FormErrors } from './forms.ts';
import { choose, type FieldsOf, type TemplateChoice } from './overrides.ts';
import { resolveRedirect, type RedirectTarget } from './urls.ts';

const REFUSAL = Symbol('tessera.refusal');
const INVALID_FORM_CODE = new InvalidForm('').code;

/** What an action answers to refuse the submission: errors by field, and the status. */
export interface Refusal {
  readonly [REFUSAL]: true;
  readonly errors: FormErrors;
  readonly status: number;
  /** Headers to send with the refusal (a rate limit's `retry-after`). */
  readonly headers: Readonly<Record<string, string | number>>;
}

/**
 * Refuses a submission from an action: `return refuse({ email: ['Taken.'] })`. Errors about the
 * whole form go under `__all__`.
 */
export function refuse(
  errors: FormErrors,
  status = 422,
  headers: Record<string, string | number> = {},
): Refusal {
  return { [REFUSAL]: true, errors, status, headers };
}

function isRefusal(value: unknown): value is Refusal {
  return typeof value === 'object' && value !== null && REFUSAL in value;
}

/** A handler the view answers with. */
export type FormHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;

/** How one form view works; every part but the action is an override point of the app. */
export interface FormViewOptions<B extends Form, R> {
  /** The form (the app's `form` option: a form, or a function of the request answering one). */
  form: B | ((request: FastifyRequest) => B);
  /** The page's template (an option: a name, or a function of the request). */
  template: TemplateChoice;
  /** More values for the template, on the first render and on a re-render with errors. */
  context?: (request: FastifyRequest) => Record<string, unknown> | Promise<Record<string, unknown>>;
  /** The values a GET starts from (an edit page: the entity's). */
  initial?: (request: FastifyRequest) => Record<string, unknown> | Promise<Record<string, unknown>>;
  /**
   * Does the app's work with the clean data: the result, or `refuse(errors)`. `form` is the form
   * chosen for this request (a site's extended one: its fields tell which data is a password).
   */
  action(
    request: FastifyRequest,
    data: FormData<FieldsOf<B>>,
    reply: FastifyReply,
    form: B,
  ): Promise<R | Refusal>;
  /** Where to go after the action (an option: a route name, a path, or a function of the result). */
  successRedirect: RedirectTarget<R>;
  /** What a JSON client gets on success (default: `{ redirect }`, the path a browser would follow). */
  json?: (request: FastifyRequest, reply: FastifyReply, result: R) => unknown;
}

/** The two handlers of a form view: `get` renders, `post` validates, acts and redirects. */
export function formView<B extends Form, R>(
  opts: FormViewOptions<B, R>,
): { get: FormHandler; post: FormHandler } {
  const render = async (
    request: FastifyRequest,
    reply: FastifyReply,
    form: Form,
    values: Record<string, unknown>,
    errors: FormErrors,
    status?: number,
  ) => {
    const extra = (await opts.context?.(request)) ?? {};
    return reply.render(
      choose(opts.template, request),
      { ...extra, form: form.bind(values, errors) },
      status,
    );
  };
  const refused = async (
    request: FastifyRequest,
    reply: FastifyReply,
    form: Form,
    values: Record<string, unknown>,
    refusal: Refusal,
  ) => {
    reply.headers(refusal.headers);
    if (wantsJson(request))
      return problem(reply, refusal.status, {
        detail: refusal.errors.__all__?.[0] ?? 'The submitted data is not valid; see `errors`.',
        // The code `invalidForm()` carries, so a client branches on one code for form errors.
        ...(refusal.status === 422 ? { code: INVALID_FORM_CODE } : {}),
        errors: refusal.errors,
      });
    return render(
      request,
      reply,
      form,
      withoutSecrets(form, values),
      refusal.errors,
      refusal.status,
    );
  };
  return {
    async get(request, reply) {
      const form = choose(opts.form, request);
      return render(request, reply, form, (await opts.initial?.(request)) ?? {}, {});
    },
    async post(request, reply) {
      const form = choose(opts.form, request);
      const parsed = await form.parse(request.body);
      if (!parsed.ok) return refused(request, reply, form, parsed.values, refuse(parsed.errors));
      const result = await opts.action(request, parsed.data as FormData<FieldsOf<B>>, reply, form);
      if (isRefusal(result)) return refused(request, reply, form, parsed.data, result);
      if (reply.sent) return reply;
      if (wantsJson(request)) {
        if (opts.json) return reply.send(await opts.json(request, reply, result));
        const redirect = await resolveRedirect(
          request.server.tessera.routes,
          opts.successRedirect,
          request,
          result,
        );
        return reply.send({ redirect });
      }
      return reply.redirectTo(opts.successRedirect, result);
    },
  };
}

/** The submitted values with password fields emptied: a password is never echoed into a page. */
export function withoutSecrets(
  form: Form,
  values: Record<string, unknown>,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k, form.fields[k]?.widget === 'password' ? '' : v]),
  );
}
