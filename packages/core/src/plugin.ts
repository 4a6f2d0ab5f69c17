// Tessera as a Fastify plugin: `app.register(tessera, settings)` adds a site's apps to any
// Fastify server. It boots the site (apps in order, database, ORM, mail), registers each app as a
// named plugin, and builds one context for every route Tessera mounts; `createSite` is this on a
// server of its own.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import './augment.ts';
import { CORE_VERSION, checkCompatibility, orderApps, resolveAllOptions } from './boot.ts';
import type { SiteContext, SiteSettings } from './contract.ts';
import { ImproperlyConfigured } from './errors.ts';
import { healthRoutes } from './health.ts';
import { Hooks } from './hooks.ts';
import { openLifecycle } from './lifecycle.ts';
import { appPlugin } from './mount.ts';
import type { EarlyResponder } from './request-scope.ts';
import { securityHeadersPlugin } from './security.ts';
import { siteScope, type AddedRequestHook } from './site-scope.ts';
import { CORE_TEMPLATES, Templates, toDir } from './templates.ts';
import { RouteTable } from './urls.ts';

/** What `register(tessera, …)` takes: a site's settings, and how to boot. */
export interface TesseraOptions extends SiteSettings {
  /** Apply pending migrations before serving (development and tests). */
  migrate?: boolean;
  /**
   * Answer requests no route matches with the site's 404 page (default: true). A host server
   * with a not-found handler of its own sets it false.
   */
  notFound?: boolean;
}

async function tesseraPlugin(fastify: FastifyInstance, opts: TesseraOptions): Promise<void> {
  const { migrate = false, notFound = true, ...settings } = opts;
  if (!settings.secretKey || settings.secretKey.length < 32) {
    throw new ImproperlyConfigured(
      'Setting secretKey must be at least 32 characters (set SECRET_KEY in the environment).',
    );
  }
  const apps = orderApps(settings.apps);
  checkCompatibility(apps);
  const options = resolveAllOptions(apps, settings.apps);

  const life = await openLifecycle(settings, apps, fastify.log, { migrate });
  // A boot that fails half way (an app's setup, a route) leaves no pool or server running.
  try {
    const routes = new RouteTable();
    const hooks = new Hooks();
    for (const a of apps) for (const h of a.hooks ?? []) hooks.declare(h, a.name);
    const templates = siteTemplates(settings, apps, routes);
    const contextProcessors: ((request: FastifyRequest) => Record<string, unknown>)[] = [];
    const earlyResponders: EarlyResponder[] = [];
    const requestHooks: AddedRequestHook[] = [];
    const site: SiteContext = {
      settings,
      apps,
      orm: life.orm,
      hooks,
      routes,
      url: routes.url,
      templates,
      mail: life.mail,
      log: fastify.log,
      services: { invalidateTags: async () => {}, stats: new Map() },
      serverUrl: life.serverUrl,
      options,
      onClose: life.onClose,
      addContextProcessor: (fn) => void contextProcessors.push(fn),
      addRequestHook: (name, fn) => void requestHooks.push({ name, fn } as AddedRequestHook),
      respondEarly: (fn) => void earlyResponders.push(fn),
    };
    fastify.decorate('tessera', site);
    let closing = false;
    fastify.addHook('preClose', function stopKeepingAlive(done) {
      closing = true;
      done();
    });
    fastify.addHook('onClose', async function closeSite() {
      await life.close();
    });

    await fastify.register(async function health(scope) {
      scope.addHook('onRoute', (r) => routes.record(r));
      await scope.register(securityHeadersPlugin, { settings });
      await healthRoutes(scope, { orm: life.orm });
    });
    for (const a of apps) if (a.name !== 'core') await fastify.register(appPlugin(site, a));
    await fastify.register(siteScope, {
      site,
      version: CORE_VERSION,
      earlyResponders,
      contextProcessors,
      requestHooks,
      notFound,
      closing: () => closing,
    });
    settings.listeners?.(hooks, site);
  } catch (err) {
    await life.close();
    throw err;
  }
}

/**
 * Tessera as a Fastify plugin: `await app.register(tessera, settings)` mounts the site's apps
 * on any Fastify server, beside the routes it already has (which Tessera leaves as they are).
 */
export const tessera = fp(tesseraPlugin, { name: '@tessera/core', fastify: '5.x' });

/** The site's template engine: its own folder, then each app's, then core's; globals set once. */
function siteTemplates(
  settings: SiteSettings,
  apps: SiteContext['apps'],
  routes: RouteTable,
): Templates {
  const templates = new Templates(
    [
      ...(settings.templates ? [{ owner: 'site', dir: toDir(settings.templates) }] : []),
      ...apps.flatMap((a) => (a.templates ? [{ owner: a.name, dir: toDir(a.templates) }] : [])),
      { owner: 'core', dir: CORE_TEMPLATES },
    ],
    { cache: !settings.debug },
  );
  templates.addGlobal('url', (name: string, params?: Record<string, unknown>) =>
    routes.reverse(name, params),
  );
  templates.addGlobal('static', (path: string) => `/static/${String(path).replace(/^\/+/, '')}`);
  templates.addGlobal('site_name', settings.siteName);
  templates.addGlobal('has_route', (name: string) => routes.has(name));
  return templates;
}
