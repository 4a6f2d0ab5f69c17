// Tessera as a Fastify plugin: `app.register(tessera, settings)` adds a site's apps to any
// Fastify server. It boots the site (apps in order, database, ORM, mail), registers each app as a
// named plugin, and builds one context for every route Tessera mounts; `createSite` is this on a
// server of its own.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import './augment.ts';
import { appChecks, checkApps, mountedChecks, optionChecks } from './boot-checks.ts';
import { CORE_VERSION, orderApps } from './boot.ts';
import { CheckCollector, SystemCheckFailed, checkError } from './checks.ts';
import type { AppSpec, SiteContext, SiteSettings } from './contract.ts';
import { healthRoutes } from './health.ts';
import { checkSettings } from './settings-schema.ts';
import { Hooks } from './hooks.ts';
import { jobChecks } from './jobs/checks.ts';
import { Jobs, declaredJobs, jobsRunIn } from './jobs/jobs.ts';
import { openLifecycle } from './lifecycle.ts';
import { appPlugin } from './mount.ts';
import type { EarlyResponder } from './request-scope.ts';
import { securityHeadersPlugin } from './security.ts';
import { siteScope, type AddedRequestHook } from './site-scope.ts';
import { CORE_TEMPLATES, Templates, toDir } from './templates.ts';
import { SiteState, attachSite } from './state.ts';
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
  /**
   * Where the system checks' findings go. By default a boot with an error stops with all of
   * them; `tessera check` passes a collector that keeps what the mounted site's checks find.
   */
  checks?: CheckCollector;
}

async function tesseraPlugin(fastify: FastifyInstance, opts: TesseraOptions): Promise<void> {
  const { migrate = false, notFound = true, checks: given, ...settings } = opts;
  const checks = given ?? new CheckCollector({ collect: false });
  // What can be checked before anything runs stops the boot whatever the collector: apps with
  // wrong options cannot be set up.
  checks.add([
    ...checkSettings(opts as unknown as Record<string, unknown>),
    ...checkApps(settings.apps),
  ]);
  if (checks.failed) throw new SystemCheckFailed(checks.messages);
  const apps = orderedApps(settings);
  const first = optionChecks(apps, settings.apps);
  checks.add([...first.messages, ...jobChecks(apps, settings)]);
  if (checks.failed) throw new SystemCheckFailed(checks.messages);
  const options = first.options;

  const life = await openLifecycle(settings, apps, fastify.log, { migrate });
  // A boot that fails half way (an app's setup, a route) leaves no pool or server running.
  let jobs: Jobs | undefined;
  try {
    const routes = new RouteTable();
    const hooks = new Hooks();
    for (const a of apps) for (const h of a.hooks ?? []) hooks.declare(h, a.name);
    const templates = siteTemplates(settings, apps, routes);
    const contextProcessors: ((request: FastifyRequest) => Record<string, unknown>)[] = [];
    const earlyResponders: EarlyResponder[] = [];
    const requestHooks: AddedRequestHook[] = [];
    jobs = new Jobs(() => site, declaredJobs(apps, settings));
    const site: SiteContext = {
      settings,
      apps,
      orm: life.orm,
      hooks,
      jobs,
      routes,
      url: routes.url,
      templates,
      mail: life.mail,
      log: fastify.log,
      services: { invalidateTags: async () => {}, stats: new Map() },
      serverUrl: life.serverUrl,
      options,
      state: new SiteState(),
      onClose: life.onClose,
      addContextProcessor: (fn) => void contextProcessors.push(fn),
      addRequestHook: (name, fn) => void requestHooks.push({ name, fn } as AddedRequestHook),
      respondEarly: (fn) => void earlyResponders.push(fn),
    };
    attachSite(life.orm, site);
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
      await scope.register(securityHeadersPlugin, { settings, perRoute: false });
      await healthRoutes(scope, { orm: life.orm });
    });
    // Routes an app registers in `setup` land outside the site's context (no session, no CSRF).
    const outside: { method: string; path: string; app: string }[] = [];
    let settingUp: string | undefined;
    fastify.addHook('onRoute', function routesOutsideTheSite(r) {
      if (settingUp)
        for (const method of ([] as string[]).concat(r.method))
          outside.push({ method, path: r.url, app: settingUp });
    });
    for (const a of apps) {
      if (a.name === 'core') continue;
      settingUp = a.name;
      await fastify.register(appPlugin(site, a));
    }
    settingUp = undefined;
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
    checks.add([...mountedChecks(site, first.points, outside), ...(await appChecks(site))]);
    for (const m of checks.messages)
      if (m.level === 'warning') fastify.log.warn({ check: m.id }, `${m.message} ${m.hint ?? ''}`);
    // Added last, so it runs first on close: running jobs finish while the apps' services live.
    life.onClose(() => site.jobs.stop());
    if (jobsRunIn(settings) === 'server')
      fastify.addHook('onListen', async function runJobsInServer() {
        await site.jobs.work();
      });
  } catch (err) {
    await jobs?.stop();
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

/** The apps in boot order; a cycle is a check finding like the others. */
function orderedApps(settings: SiteSettings): AppSpec[] {
  try {
    return orderApps(settings.apps);
  } catch (err) {
    throw new SystemCheckFailed([checkError('tessera.E003', (err as Error).message)]);
  }
}
