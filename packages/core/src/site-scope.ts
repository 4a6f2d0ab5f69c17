// The context every route Tessera mounts lives in: security headers and the rate limit, the
// request scope, sessions and CSRF, the reply helpers, error pages, static files, metrics and
// OpenAPI, then each app's routes and the site's. A host server's own routes stay outside it.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RequestHooks, SiteContext } from './contract.ts';
import { errorPagesPlugin } from './error-pages.ts';
import { registerMetrics } from './metrics.ts';
import { mountRoutes } from './mount.ts';
import { registerOpenApi } from './openapi.ts';
import { repliesPlugin } from './replies.ts';
import { requestScopePlugin, type EarlyResponder } from './request-scope.ts';
import { securityHeadersPlugin, siteRateLimitPlugin } from './security.ts';
import { sessionsPlugin } from './sessions.ts';
import { staticFilesPlugin } from './static-files.ts';

/** One request hook an app added with `site.addRequestHook`. */
export type AddedRequestHook = {
  [N in keyof RequestHooks]: { name: N; fn: RequestHooks[N] };
}[keyof RequestHooks];

/** What the site's context is built from: the site, and what apps added to it in `setup`. */
export interface SiteScopeOptions {
  site: SiteContext;
  version: string;
  earlyResponders: readonly EarlyResponder[];
  contextProcessors: readonly ((request: FastifyRequest) => Record<string, unknown>)[];
  requestHooks: readonly AddedRequestHook[];
  /** Answer requests no route matches (off when the host server keeps its own 404 handler). */
  notFound: boolean;
  /** True once the server is closing: every response then ends its connection. */
  closing: () => boolean;
}

/** Builds the site's context (registered encapsulated, so nothing here leaks to the host's routes). */
export async function siteScope(fastify: FastifyInstance, opts: SiteScopeOptions): Promise<void> {
  const { site } = opts;
  const { settings } = site;
  // Every route, named or not, before any is registered: `site.routes.endpoints()` audits them.
  fastify.addHook('onRoute', (r) => site.routes.record(r));
  fastify.addHook('onRequest', function requestId(request, reply, done) {
    // The id in the response too, so a user's report can be matched with the log lines.
    reply.header('x-request-id', request.id);
    done();
  });
  await fastify.register(securityHeadersPlugin, { settings });
  await fastify.register(siteRateLimitPlugin, { settings });
  if (settings.openapi.enabled) {
    await registerOpenApi(fastify, {
      path: settings.openapi.path,
      title: settings.siteName,
      version: opts.version,
    });
  }
  if (settings.metrics.enabled) registerMetrics(fastify, site, settings.metrics);
  await fastify.register(requestScopePlugin, { site, earlyResponders: opts.earlyResponders });
  await fastify.register(sessionsPlugin, { settings, orm: site.orm });
  await fastify.register(repliesPlugin, { site, contextProcessors: opts.contextProcessors });
  // Shutting down, a connection kept alive (a proxy's) would hold `close` — and the process —
  // until its keep-alive timeout: from then on every response ends its connection.
  fastify.addHook('onSend', function closeConnectionWhenClosing(_request, reply, payload, done) {
    if (opts.closing()) reply.header('connection', 'close');
    done(null, payload);
  });
  fastify.addHook('onResponse', function endConnectionWhenClosing(request, _reply, done) {
    // A response that was already on its way when the close began.
    const socket = request.raw.socket as { end?: () => void } | undefined;
    if (opts.closing() && typeof socket?.end === 'function') socket.end();
    done();
  });
  for (const hook of opts.requestHooks) addRequestHook(fastify, hook);
  await fastify.register(errorPagesPlugin, {
    settings,
    templates: site.templates,
    notFound: opts.notFound,
  });
  await fastify.register(staticFilesPlugin, { settings, apps: site.apps });
  await mountRoutes(fastify, site);
}

/** Adds an app's request hook to the site's context, typed by its stage. */
function addRequestHook(fastify: FastifyInstance, hook: AddedRequestHook): void {
  switch (hook.name) {
    case 'onRequest':
      fastify.addHook('onRequest', hook.fn);
      break;
    case 'preHandler':
      fastify.addHook('preHandler', hook.fn);
      break;
    case 'onSend':
      fastify.addHook('onSend', hook.fn);
      break;
    case 'onResponse':
      fastify.addHook('onResponse', hook.fn);
      break;
  }
}
