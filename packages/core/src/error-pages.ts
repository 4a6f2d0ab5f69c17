// How every refusal and failure answers: a JSON problem body (RFC 9457) for API clients, the
// site's error page for browsers — the same for a 404, a CSRF refusal, a form's 422 or a crash.
// `problem()` builds the body, so no app writes its own.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { SiteSettings } from './contract.ts';
import type { Templates } from './templates.ts';

/** An RFC 9457 problem body as Tessera sends it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  /** The error's code (`TESSERA_AUTH_BAD_CREDENTIALS`), for clients that branch on it. */
  code?: string;
  /** A form's field errors, by field name. */
  errors?: Record<string, string[]>;
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  413: 'Request body too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  429: 'Too many requests',
  500: 'Server error',
  503: 'Service unavailable',
};

/** The usual title of an HTTP status. */
export function statusTitle(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Server error' : 'Bad request');
}

/**
 * Sends a problem+json body: `problem(reply, 422, { detail, errors })`. The title defaults to
 * the status's; `Retry-After` goes with a 503.
 */
export function problem(
  reply: FastifyReply,
  status: number,
  fields: Partial<Omit<Problem, 'status'>> = {},
): FastifyReply {
  if (status === 503 && !reply.hasHeader('retry-after')) reply.header('retry-after', '5');
  const body: Problem = {
    type: fields.type ?? 'about:blank',
    title: fields.title ?? statusTitle(status),
    status,
    ...(fields.detail ? { detail: fields.detail } : {}),
    ...(fields.code ? { code: fields.code } : {}),
    ...(fields.errors ? { errors: fields.errors } : {}),
  };
  return reply.status(status).type('application/problem+json').send(body);
}

/** True when the client should get a JSON problem body rather than an HTML page. */
export function wantsJson(request: FastifyRequest): boolean {
  if (request.routeOptions.config?.api) return true;
  const accept = request.headers.accept ?? '';
  if (accept.includes('text/html')) return false;
  return accept.includes('json') || (request.headers['content-type'] ?? '').includes('json');
}

const UNAVAILABLE =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|terminating connection|Connection terminated|the database system is (starting|shutting) up|timeout exceeded when trying to connect/i;

/** The status an error answers with: its own, 503 when the database is away, else 500. */
function statusOf(err: FastifyError): number {
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 600) return err.statusCode;
  const code = String((err as { code?: string }).code ?? '');
  if (
    err.name === 'ConnectionException' ||
    UNAVAILABLE.test(`${err.name} ${err.message} ${code}`) ||
    ['57P01', '57P03', '08006', '08001'].includes(code)
  )
    return 503;
  return 500;
}

/** The message of an error meant for the user; none when it was raised without one (`new NotFound()`). */
function userMessage(err: FastifyError): string | undefined {
  return err.message && err.message !== '%s' ? err.message : undefined;
}

/** A form's field errors carried by the error (`invalidForm(errors)`), for the problem body. */
function fieldErrors(err: FastifyError): Record<string, string[]> | undefined {
  const errors = (err as { errors?: unknown }).errors;
  return errors && typeof errors === 'object' && !Array.isArray(errors)
    ? (errors as Record<string, string[]>)
    : undefined;
}

/** The plugin's options. */
export interface ErrorPagesOptions {
  settings: SiteSettings;
  templates: Templates;
  /** Answer requests no route matches, too (false when the host server keeps its own 404s). */
  notFound: boolean;
}

async function errorPages(fastify: FastifyInstance, opts: ErrorPagesOptions): Promise<void> {
  const { settings, templates } = opts;
  const answer = async (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    detail?: string,
    code?: string,
    errors?: Record<string, string[]>,
  ) => {
    if (wantsJson(request)) return problem(reply, status, { detail, code, errors });
    const title = statusTitle(status);
    if (status === 503) reply.header('retry-after', '5');
    const name = templates.resolve(`errors/${status}.njk`)
      ? `errors/${status}.njk`
      : 'errors/error.njk';
    try {
      return await reply.render(name, { status, title, detail, code }, status);
    } catch {
      return reply.status(status).type('text/plain; charset=utf-8').send(`${status} ${title}`);
    }
  };
  // Probing for pages that do not exist counts against the same per-address limit as the rest:
  // set here, in the site's context, the not-found route runs the context's hooks.
  if (opts.notFound)
    fastify.setNotFoundHandler(async (request, reply) => answer(request, reply, 404));
  fastify.setErrorHandler(async (err: FastifyError, request, reply) => {
    const status = statusOf(err);
    // An error raised without a message (`new NotFound()`) logs its title, not the format string.
    if (status >= 500) request.log.error({ err }, err.message);
    else request.log.info({ code: err.code, status }, userMessage(err) ?? statusTitle(status));
    const detail = status < 500 ? userMessage(err) : settings.debug ? err.stack : undefined;
    const errors = status < 500 ? fieldErrors(err) : undefined;
    return answer(request, reply, status, detail, status < 500 ? err.code : undefined, errors);
  });
}

/** The error pages as a plugin of the site's context. */
export const errorPagesPlugin = fp(errorPages, { name: '@tessera/core:error-pages' });

/**
 * Fastify's own refusals before any route runs (a request line with broken percent-encoding):
 * the site's 400 page or problem body, like every other refusal, instead of Fastify's raw JSON.
 * For `createSite`'s `frameworkErrors` server option.
 */
export function frameworkErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 400;
  const detail =
    error.code === 'FST_ERR_BAD_URL'
      ? 'The address has characters that cannot be read (a % must be followed by two hex digits).'
      : undefined;
  request.log.info({ code: error.code, status }, error.message);
  // No route ran, so none of the site's hooks did: the page carries its own strict headers.
  reply.headers({
    'content-security-policy': "default-src 'self'; frame-ancestors 'none'; object-src 'none'",
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
  });
  const site = (request.server as Partial<FastifyInstance>).tessera;
  const accept = request.headers.accept ?? '';
  if (!site || !accept.includes('text/html')) {
    void problem(reply, status, { detail, code: error.code });
    return;
  }
  const context = {
    status,
    title: statusTitle(status),
    detail,
    code: error.code,
    request: { path: '/', query: {}, method: request.method },
    user: null,
    debug: false,
    csrf_token: () => '',
    messages: () => [],
  };
  const name = site.templates.resolve(`errors/${status}.njk`)
    ? `errors/${status}.njk`
    : 'errors/error.njk';
  site.templates.render(name, context).then(
    (html) => reply.status(status).type('text/html; charset=utf-8').send(html),
    () =>
      reply
        .status(status)
        .type('text/plain; charset=utf-8')
        .send(`${status} ${statusTitle(status)}`),
  );
}
