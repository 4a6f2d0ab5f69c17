import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type RouteOptions,
} from 'fastify';
import cookie from '@fastify/cookie';
import session from '@fastify/session';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import { registerMetrics } from './metrics.ts';
import { registerOpenApi } from './openapi.ts';
import { registerSecurity } from './security.ts';
import fastifyStatic from '@fastify/static';
import { RequestContext } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import semver from 'semver';
import type { AppSpec, InstalledApp } from './app.ts';
import './augment.ts';
import type { FlashLevel } from './augment.ts';
import { CoreSession } from './db/session.entity.ts';
import { PostgresSessionStore } from './db/session-store.ts';
import {
  ensureDatabase,
  splitDatabaseUrl,
  startEmbedded,
  type EmbeddedServer,
} from './db/embedded.ts';
import { collectMigrations, migrate } from './db/migrations.ts';
import { openOrm, queryStats, type QueryStats } from './db/orm.ts';
import {
  DependencyCycle,
  ImproperlyConfigured,
  IncompatibleVersion,
  BadParameter,
  MissingDependency,
} from './errors.ts';
import { Hooks } from './hooks.ts';
import { Mailer } from './mail.ts';
import { migrations as coreMigrations } from './migrations/index.ts';
import { resolveOptions } from './options.ts';
import type { SiteSettings } from './settings.ts';
import type { SiteContext } from './site-context.ts';
import { CORE_TEMPLATES, Templates, toDir } from './templates.ts';
import { RouteTable, resolveRedirect } from './urls.ts';

/** The kernel's version, for apps' `requires` ranges. */
export const CORE_VERSION: string = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
).version;

/** Core itself, as the first app: its session table and templates. */
export const coreApp: AppSpec = {
  name: 'core',
  version: CORE_VERSION,
  entities: [CoreSession],
  migrations: coreMigrations,
};

/** Orders apps so each comes after what it depends on; keeps the site's order otherwise. */
export function orderApps(apps: readonly InstalledApp[]): AppSpec[] {
  const byName = new Map<string, AppSpec>();
  for (const { spec } of apps) {
    if (byName.has(spec.name))
      throw new ImproperlyConfigured(`App '${spec.name}' is installed twice.`);
    byName.set(spec.name, spec);
  }
  const ordered: AppSpec[] = [coreApp];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (spec: AppSpec, trail: string[]) => {
    if (state.get(spec.name) === 'done') return;
    if (state.get(spec.name) === 'visiting')
      throw new DependencyCycle([...trail, spec.name].join(' → '));
    state.set(spec.name, 'visiting');
    for (const dep of spec.dependsOn ?? []) {
      const target = byName.get(dep);
      if (!target) throw new MissingDependency(spec.name, dep);
      visit(target, [...trail, spec.name]);
    }
    state.set(spec.name, 'done');
    ordered.push(spec);
  };
  for (const spec of byName.values()) visit(spec, []);
  return ordered;
}

/** Fails when an app's `requires` range is not met by the installed core or apps. */
export function checkCompatibility(apps: readonly AppSpec[]): void {
  const versions = new Map<string, string>([['@tessera/core', CORE_VERSION]]);
  for (const a of apps)
    if (a.version && a.name !== 'core') versions.set(`@tessera/${a.name}`, a.version);
  for (const a of apps) {
    for (const [pkg, range] of Object.entries(a.requires ?? {})) {
      const have = versions.get(pkg);
      if (!have) continue;
      if (!semver.satisfies(have, range, { includePrerelease: true })) {
        throw new IncompatibleVersion(
          `App '${a.name}' needs ${pkg} ${range}, but the site has ${have}. Install a matching version of one or the other.`,
        );
      }
    }
  }
}

/** How `createSite` boots. */
export interface CreateSiteOptions {
  /** Apply pending migrations before serving (development and tests). */
  migrate?: boolean;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const FLASH = '_flash' as const;

/**
 * Composes a site: orders and validates its apps, opens the database, wires sessions, CSRF,
 * templates, named routes, hooks and mail once, then mounts each app at its prefix. Answers a
 * ready Fastify instance (call `listen` or `inject`).
 */
export async function createSite(
  settings: SiteSettings,
  opts: CreateSiteOptions = {},
): Promise<FastifyInstance> {
  if (!settings.secretKey || settings.secretKey.length < 32) {
    throw new ImproperlyConfigured(
      'Setting secretKey must be at least 32 characters (set SECRET_KEY in the environment).',
    );
  }
  const apps = orderApps(settings.apps);
  checkCompatibility(apps);
  const options = new Map<string, unknown>();
  for (const a of apps)
    options.set(
      a.name,
      a.options
        ? resolveOptions(a.name, a.options, settings.apps.find((i) => i.spec === a)?.input)
        : {},
    );

  const fastify = Fastify({
    logger: settings.prettyLogs
      ? {
          level: settings.logLevel,
          transport: {
            target: 'pino-pretty',
            options: { translateTime: 'HH:MM:ss', ignore: 'pid,hostname' },
          },
        }
      : { level: settings.logLevel },
    bodyLimit: settings.bodyLimit,
    trustProxy: settings.trustProxy,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    return503OnClosing: true,
  });
  const closers: (() => Promise<void> | void)[] = [];

  // Data: DATABASE_URL, or an embedded PostgreSQL the site starts itself.
  let embedded: EmbeddedServer | undefined;
  let serverUrl: string;
  let database: string;
  if (settings.databaseUrl) {
    ({ serverUrl, database } = splitDatabaseUrl(settings.databaseUrl));
  } else {
    embedded = await startEmbedded(settings.embeddedDir, { log: (m) => fastify.log.debug(m) });
    serverUrl = embedded.serverUrl;
    database = 'tessera';
    await ensureDatabase(serverUrl, database);
  }
  const orm = await openOrm({
    clientUrl: `${serverUrl}/${database}`,
    entities: apps.flatMap((a) => a.entities ?? []),
    migrations: collectMigrations(apps),
    poolSize: settings.poolSize,
  }).catch(async (err: unknown) => {
    await embedded?.stop();
    throw err;
  });
  const mail = new Mailer(settings.mail.transport, settings.mail.from, fastify.log);
  let closed = false;
  const closeSite = async function closeSite() {
    if (closed) return;
    closed = true;
    for (const fn of closers.reverse()) await fn();
    mail.close();
    await orm.close(true);
    await embedded?.stop();
  };
  // A boot that fails half way (a migration, an app's setup) leaves no pool or server running.
  try {
    if (opts.migrate) {
      const applied = await migrate(orm);
      if (applied.length) fastify.log.info({ applied }, `applied ${applied.length} migration(s)`);
    }

    const routes = new RouteTable();
    // Every route, named or not, before any is registered: `site.routes.endpoints()` audits them.
    fastify.addHook('onRoute', (r) => routes.record(r));
    const hooks = new Hooks();
    for (const a of apps) for (const h of a.hooks ?? []) hooks.declare(h, a.name);
    const templates = new Templates(
      [
        ...(settings.templates ? [{ owner: 'site', dir: toDir(settings.templates) }] : []),
        ...apps
          .filter((a) => a.templates)
          .map((a) => ({ owner: a.name, dir: toDir(a.templates!) })),
        { owner: 'core', dir: CORE_TEMPLATES },
      ],
      { cache: !settings.debug },
    );
    const contextProcessors: ((req: FastifyRequest) => Record<string, unknown>)[] = [];
    const earlyResponders: ((req: FastifyRequest, reply: FastifyReply) => Promise<unknown>)[] = [];

    const site: SiteContext = {
      settings,
      apps,
      orm,
      hooks,
      routes,
      url: routes.url,
      templates,
      mail,
      log: fastify.log,
      services: { invalidateTags: async () => {}, stats: new Map() },
      serverUrl,
      options,
      onClose: (fn) => void closers.push(fn),
      addContextProcessor: (fn) => void contextProcessors.push(fn),
      respondEarly: (fn) => void earlyResponders.push(fn),
    };
    fastify.decorate('tessera', site);
    templates.addGlobal('url', (name: string, params?: Record<string, unknown>) =>
      routes.reverse(name, params),
    );
    templates.addGlobal('static', (path: string) => `/static/${String(path).replace(/^\/+/, '')}`);
    templates.addGlobal('site_name', settings.siteName);
    templates.addGlobal('has_route', (name: string) => routes.has(name));

    fastify.decorateRequest('em', null as never);
    fastify.decorateRequest('user', null);
    fastify.addHook('onRequest', function requestId(request, reply, done) {
      // The id in the response too, so a user's report can be matched with the log lines.
      reply.header('x-request-id', request.id);
      done();
    });
    if (settings.debug) {
      fastify.addHook('onSend', async function serverTiming(request, reply) {
        const stats = (request as unknown as Record<symbol, QueryStats>)[STATS];
        if (stats)
          reply.header(
            'server-timing',
            `db;dur=${stats.ms.toFixed(1)};desc="${stats.count} queries"`,
          );
      });
    }

    // Security headers and the per-IP rate limit, before any route exists.
    await registerSecurity(fastify, settings);
    if (settings.openapi.enabled) {
      await registerOpenApi(fastify, {
        path: settings.openapi.path,
        title: settings.siteName,
        version: CORE_VERSION,
      });
    }
    if (settings.metrics.enabled) registerMetrics(fastify, site, settings.metrics);

    // Answers that need no set-up (`site.respondEarly`: a stored page) go before it.
    fastify.addHook('onRequest', function earlyResponse(request, reply, done) {
      if (!earlyResponders.length) return done();
      // An answered request never calls `done`: the rest of the chain does not run (an async
      // onSend may still be finishing, so `reply.sent` is not yet true).
      respondEarly(earlyResponders, request, reply).then((answered) => {
        if (!answered) done();
      }, done);
    });

    // One EntityManager fork and one query counter per request.
    fastify.addHook('onRequest', function requestScope(request, _reply, done) {
      const stats: QueryStats = { count: 0, ms: 0 };
      (request as unknown as Record<symbol, QueryStats>)[STATS] = stats;
      // The request's EntityManager is the request context's own fork, so `request.em` and
      // anything reaching the ORM through the context share one identity map.
      RequestContext.create(orm.em, () => {
        request.em = RequestContext.getEntityManager() as EntityManager;
        queryStats.run(stats, done);
      });
    });

    // Forms, sessions (in PostgreSQL), CSRF on every unsafe route.
    await fastify.register(formbody, { bodyLimit: settings.bodyLimit, parser: parseFormBody });
    await fastify.register(cookie);
    const store = new PostgresSessionStore(orm, settings.session.maxAgeSeconds);
    await fastify.register(session, {
      secret: settings.secretKey,
      cookieName: settings.session.cookieName,
      store,
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
    await fastify.register(csrf, {
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
      fastify.csrfProtection(request, reply, done);
    });

    // No route may see a value SQL cannot take: Ajv coerces "1e309" to Infinity (and checks
    // `integer` and `maximum` only on finite numbers), and PostgreSQL refuses NUL in text.
    fastify.addHook('preHandler', function refuseUnusableParameters(request, _reply, done) {
      const why = unusable(request.params) ?? unusable(request.query);
      done(why ? new BadParameter(why) : undefined);
    });

    // Shutting down, a connection kept alive (a proxy's) would hold `close` — and the process —
    // until its keep-alive timeout: from then on every response ends its connection.
    let closing = false;
    fastify.addHook('preClose', function stopKeepingAlive(done) {
      closing = true;
      done();
    });
    fastify.addHook('onSend', function closeConnectionWhenClosing(_request, reply, payload, done) {
      if (closing) reply.header('connection', 'close');
      done(null, payload);
    });
    fastify.addHook('onResponse', function endConnectionWhenClosing(request, _reply, done) {
      // A response that was already on its way when the close began.
      const socket = request.raw.socket as { end?: () => void } | undefined;
      if (closing && typeof socket?.end === 'function') socket.end();
      done();
    });

    // A page carrying a visitor's session, user or CSRF token is theirs alone: no shared cache
    // (a CDN, a proxy) may store it for others — Django's `Vary: Cookie` and `never_cache`.
    fastify.addHook('onSend', function keepPersonalPagesPrivate(request, reply, payload, done) {
      const personal =
        request.user !== null ||
        reply.hasHeader('set-cookie') ||
        (reply as unknown as Record<symbol, boolean>)[PERSONAL] === true;
      if (personal && !reply.hasHeader('cache-control'))
        reply.header('cache-control', 'private, no-cache');
      done(null, payload);
    });

    fastify.decorateRequest(
      'flash',
      function flash(this: FastifyRequest, level: FlashLevel, message: string) {
        const queued = this.session.get(FLASH) ?? [];
        this.session.set(FLASH, [...queued, { level, message }]);
      },
    );
    fastify.decorateReply(
      'render',
      async function render(
        this: FastifyReply,
        template: string,
        context: Record<string, unknown> = {},
        status?: number,
      ) {
        const request = this.request;
        const generateCsrf = () => {
          (this as unknown as Record<symbol, boolean>)[PERSONAL] = true;
          return this.generateCsrf();
        };
        const base: Record<string, unknown> = {
          request: {
            path: request.url.split('?')[0],
            query: request.query,
            method: request.method,
          },
          debug: settings.debug,
          user: request.user,
          csrf_token: generateCsrf,
          messages: () => {
            // No session yet when a request is refused before it loads (the rate limit): no messages.
            const queued = (request.session as typeof request.session | undefined)?.get(FLASH);
            if (!queued?.length) return [];
            request.session.set(FLASH, undefined);
            return queued;
          },
        };
        for (const fn of contextProcessors) Object.assign(base, fn(request));
        const html = await templates.render(template, { ...base, ...context });
        if (settings.debug) this.header('x-tessera-template', template);
        if (status) this.status(status);
        return this.type('text/html; charset=utf-8').send(html);
      },
    );
    fastify.decorateReply('cacheTags', function cacheTags(this: FastifyReply, ...tags: string[]) {
      const self = this as unknown as Record<symbol, string[] | undefined>;
      (self[CACHE_TAGS] ??= []).push(...tags);
      return this;
    });
    fastify.decorateReply('redirectTo', async function redirectTo<
      R,
    >(this: FastifyReply, target: Parameters<FastifyReply['redirectTo']>[0], result?: R) {
      return this.redirect(
        await resolveRedirect(routes, target as never, this.request, result),
        303,
      );
    });

    installErrorHandlers(fastify, settings, templates);

    // Static files: each app's at /static/<app>/, the site's at /static/.
    if (settings.serveStatic) {
      for (const a of apps.filter((x) => x.static)) {
        await fastify.register(fastifyStatic, {
          root: toDir(a.static!),
          prefix: `/static/${a.name}/`,
          decorateReply: false,
          index: false,
        });
      }
      if (settings.static) {
        await fastify.register(fastifyStatic, {
          root: toDir(settings.static),
          prefix: '/static/',
          decorateReply: false,
          index: false,
        });
      }
    }

    await fastify.register(async function coreRoutes(scope) {
      scope.addHook('onRoute', (r) => nameRoute(site, 'core', r));
      // A token for front ends that post JSON: send it back in the `x-csrf-token` header.
      scope.get(
        '/csrf-token',
        { config: { name: 'csrf-token', api: true } },
        async (_request, reply) => {
          reply.header('cache-control', 'no-store');
          return { token: reply.generateCsrf() };
        },
      );
    });
    fastify.get('/healthz', async () => ({ status: 'ok' }));
    fastify.get('/readyz', async (request, reply) => {
      try {
        await request.em.getConnection().execute('select 1');
        return { status: 'ready' };
      } catch {
        return reply
          .status(503)
          .send({ status: 'unavailable', detail: 'The database does not answer.' });
      }
    });

    // Apps: setup on the root (decorators, hooks, services), then routes under their prefix.
    for (const a of apps) {
      if (a.setup)
        await a.setup(fastify, { name: a.name, options: options.get(a.name), site } as never);
    }
    for (const a of apps) {
      if (!a.routes) continue;
      const prefix = settings.routes.mounts[a.name] ?? `/${a.name}`;
      await fastify.register(
        async function appRoutes(scope) {
          scope.addHook('onRoute', (r) => nameRoute(site, a.name, r));
          await a.routes!(scope, { name: a.name, options: options.get(a.name), site } as never);
        },
        { prefix: prefix === '/' ? '' : prefix },
      );
    }
    if (settings.routes.register) {
      await fastify.register(async function siteRoutes(scope) {
        scope.addHook('onRoute', (r) => nameRoute(site, undefined, r));
        await settings.routes.register!(scope, site);
      });
    }
    settings.listeners?.(hooks, site);

    fastify.addHook('onClose', closeSite);
    await fastify.ready();
  } catch (err) {
    await fastify.close().catch(() => {});
    await closeSite();
    throw err;
  }
  return fastify;
}

/** Why a params or query object holds a value no route can use, if it does. */
function unusable(values: unknown): string | undefined {
  if (!values || typeof values !== 'object') return undefined;
  for (const v of Object.values(values)) {
    for (const x of Array.isArray(v) ? v : [v]) {
      if (typeof x === 'number' && !Number.isFinite(x)) return 'a number out of range';
      if (typeof x === 'string' && x.includes('\u0000')) return 'a NUL character';
    }
  }
  return undefined;
}

const STATS = Symbol('tessera.queryStats');

/** Runs the early responders in order until one answers (returns the reply it sent). */
async function respondEarly(
  responders: readonly ((req: FastifyRequest, reply: FastifyReply) => Promise<unknown>)[],
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<boolean> {
  for (const fn of responders) {
    if ((await fn(request, reply)) === reply || reply.sent) return true;
  }
  return false;
}
/** Set on a reply whose page embeds a CSRF token: it belongs to one session. */
const PERSONAL = Symbol('tessera.personal');

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
const CACHE_TAGS = Symbol('tessera.cacheTags');

/** The tags a handler gave its response with `reply.cacheTags(...)`, for the cache app. */
export function cacheTagsOf(reply: FastifyReply): readonly string[] {
  return (reply as unknown as Record<symbol, string[] | undefined>)[CACHE_TAGS] ?? [];
}

/** Records a named route (with its mount prefix) and applies the site's override for it. */
function nameRoute(site: SiteContext, app: string | undefined, r: RouteOptions): void {
  const local = r.config?.name;
  if (!local) return;
  const full = app ? `${app}:${local}` : local;
  r.config = { ...r.config, routeName: full };
  const methods = ([] as string[]).concat(r.method).filter((m) => m !== 'HEAD');
  if (methods.length) site.routes.add({ name: full, path: r.url, methods, app });
  const override = site.settings.routeOverrides?.[full];
  if (override?.handler) r.handler = override.handler;
  if (override?.preHandler) {
    const existing = r.preHandler ? ([] as unknown[]).concat(r.preHandler) : [];
    r.preHandler = [override.preHandler, ...(existing as never[])];
  }
}

/** True when the client should get a JSON problem body rather than an HTML page. */
export function wantsJson(request: FastifyRequest): boolean {
  if (request.routeOptions.config?.api) return true;
  const accept = request.headers.accept ?? '';
  if (accept.includes('text/html')) return false;
  return accept.includes('json') || (request.headers['content-type'] ?? '').includes('json');
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

const UNAVAILABLE =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|terminating connection|Connection terminated|the database system is (starting|shutting) up|timeout exceeded when trying to connect/i;

function statusOf(err: FastifyError): number {
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 600) return err.statusCode;
  const text = `${err.name} ${err.message} ${(err as { code?: string }).code ?? ''}`;
  if (
    err.name === 'ConnectionException' ||
    UNAVAILABLE.test(text) ||
    ['57P01', '57P03', '08006', '08001'].includes(String((err as { code?: string }).code))
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

function installErrorHandlers(
  fastify: FastifyInstance,
  settings: SiteSettings,
  templates: Templates,
): void {
  const answer = async (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    detail: string | undefined,
    code?: string,
    errors?: Record<string, string[]>,
  ) => {
    const title = TITLES[status] ?? (status >= 500 ? 'Server error' : 'Bad request');
    if (status === 503) reply.header('retry-after', '5');
    if (wantsJson(request)) {
      return reply
        .status(status)
        .type('application/problem+json')
        .send({
          type: 'about:blank',
          title,
          status,
          ...(detail ? { detail } : {}),
          ...(code ? { code } : {}),
          ...(errors ? { errors } : {}),
        });
    }
    const name = templates.resolve(`errors/${status}.njk`)
      ? `errors/${status}.njk`
      : 'errors/error.njk';
    try {
      return await reply.render(name, { status, title, detail }, status);
    } catch {
      return reply.status(status).type('text/plain; charset=utf-8').send(`${status} ${title}`);
    }
  };
  // Probing for pages that do not exist counts against the same per-address limit as the rest:
  // the site-wide limiter is a root onRequest hook (security.ts), which runs for 404s too.
  fastify.setNotFoundHandler(async (request, reply) => answer(request, reply, 404, undefined));
  fastify.setErrorHandler(async (err: FastifyError, request, reply) => {
    const status = statusOf(err);
    if (status >= 500) request.log.error({ err }, err.message);
    else request.log.info({ code: err.code, status }, err.message);
    const detail = status < 500 ? userMessage(err) : settings.debug ? err.stack : undefined;
    const errors = status < 500 ? fieldErrors(err) : undefined;
    return answer(request, reply, status, detail, status < 500 ? err.code : undefined, errors);
  });
}
