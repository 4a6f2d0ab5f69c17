// Forms, cookies, sessions (kept in PostgreSQL) and CSRF for every route Tessera mounts: a
// urlencoded body parser that decodes like a browser, @fastify/session with the site's store,
// and @fastify/csrf-protection enforced on every unsafe method before validation.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import session from '@fastify/session';
import type { SiteSettings } from './contract.ts';
import type { MikroORM } from './db/orm.ts';
import { PostgresSessionStore } from './db/session-store.ts';
import { CrossOriginRequest } from './errors.ts';
import { markPersonal } from './replies.ts';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The plugin's options: the site's settings and the ORM the session store writes with. */
export interface SessionsOptions {
  settings: SiteSettings;
  orm: MikroORM;
}

async function sessions(fastify: FastifyInstance, opts: SessionsOptions): Promise<void> {
  const { settings } = opts;
  // A host server may parse forms or cookies already; its own parsers serve Tessera's routes.
  if (!fastify.hasContentTypeParser('application/x-www-form-urlencoded'))
    await fastify.register(formbody, { bodyLimit: settings.bodyLimit, parser: parseFormBody });
  if (!fastify.hasPlugin('@fastify/cookie')) await fastify.register(cookie);
  await fastify.register(session, {
    secret: settings.secretKey,
    cookieName: settings.session.cookieName,
    store: new PostgresSessionStore(opts.orm, settings.session.maxAgeSeconds),
    saveUninitialized: false,
    rolling: false,
    cookie: {
      secure: settings.session.secure,
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      maxAge: settings.session.maxAgeSeconds * 1000,
    },
  });
  await registerMarkingPersonal(fastify, csrf, {
    sessionPlugin: '@fastify/session',
    getToken: (req) => {
      const body = req.body as Record<string, unknown> | undefined;
      const fromBody = body && typeof body === 'object' ? body._csrf : undefined;
      return (
        (typeof fromBody === 'string' ? fromBody : undefined) ??
        (req.headers['x-csrf-token'] as string | undefined)
      );
    },
  });
  // Before validation: a forged request is refused whatever its body, so no route's schema
  // answers it first (and it learns nothing about what a valid body looks like).
  fastify.addHook('preValidation', function csrfGuard(request, reply, done) {
    if (!UNSAFE.has(request.method) || request.routeOptions.config?.csrf === false) return done();
    const foreign = foreignOrigin(request);
    if (foreign) return done(new CrossOriginRequest(foreign));
    fastify.csrfProtection(request, reply, done);
  });
}

/**
 * Where an unsafe request came from when that is not this site (Django's origin check, in
 * depth behind the token): a browser's `Origin` must be this site's; over HTTPS a request
 * without one must carry a `Referer` from this site. Answers a description, or undefined.
 */
function foreignOrigin(request: FastifyRequest): string | undefined {
  const here = `${request.protocol}://${request.host}`;
  const origin = request.headers.origin;
  if (origin !== undefined) return origin === here ? undefined : `'${origin.slice(0, 100)}'`;
  if (request.protocol !== 'https') return undefined;
  const referer = request.headers.referer;
  if (!referer) return 'a page that sent no Referer';
  try {
    const from = new URL(referer).origin;
    return from === here ? undefined : `'${from.slice(0, 100)}'`;
  } catch {
    return 'a page with a malformed Referer';
  }
}

/**
 * Registers @fastify/csrf-protection so that its `reply.generateCsrf()` marks the reply personal
 * (`markPersonal`): a CSRF token belongs to one session, so a response carrying one is never
 * stored for others — whether a template asked for the token or a handler called it itself.
 * Fastify has no way to wrap a reply decorator once made, so the one `decorateReply` call that
 * makes it is wrapped while the plugin registers.
 */
async function registerMarkingPersonal(
  fastify: FastifyInstance,
  plugin: typeof csrf,
  opts: Parameters<typeof csrf>[1],
): Promise<void> {
  const own = Object.hasOwn(fastify, 'decorateReply');
  const decorateReply = fastify.decorateReply;
  fastify.decorateReply = function decorateReplyMarkingCsrf(
    this: FastifyInstance,
    name: string,
    value: unknown,
    dependencies?: string[],
  ) {
    if (name === 'generateCsrf' && typeof value === 'function') {
      const generate = value as (this: FastifyReply, ...args: unknown[]) => string;
      value = function generateCsrf(this: FastifyReply, ...args: unknown[]) {
        markPersonal(this);
        return generate.apply(this, args);
      };
    }
    return decorateReply.call(this, name, value as never, dependencies as string[]);
  } as typeof decorateReply;
  try {
    await fastify.register(plugin, opts);
  } finally {
    if (own) fastify.decorateReply = decorateReply;
    else delete (fastify as Partial<FastifyInstance>).decorateReply;
  }
}

/** Sessions and CSRF as a plugin of the site's context. */
export const sessionsPlugin = fp(sessions, { name: '@tessera/core:sessions' });

/**
 * Decodes a urlencoded body like a browser's URLSearchParams: a malformed escape such as `%E9`
 * (Latin-1, not UTF-8) becomes U+FFFD, which every text field refuses, instead of being kept as
 * the literal `%E9`. Repeated names become arrays; the object has no prototype.
 */
function parseFormBody(body: string): Record<string, string | string[]> {
  const out = Object.create(null) as Record<string, string | string[]>;
  for (const [key, value] of new URLSearchParams(body)) {
    const seen = out[key];
    if (seen === undefined) out[key] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else out[key] = [seen, value];
  }
  return out;
}

/** Core's own routes: a CSRF token for front ends that post JSON (`x-csrf-token` header). */
export async function coreRoutes(fastify: FastifyInstance): Promise<void> {
  fastify.get(
    '/csrf-token',
    { config: { name: 'csrf-token', api: true } },
    async (_request, reply) => {
      reply.header('cache-control', 'no-store');
      return { token: reply.generateCsrf() };
    },
  );
}
