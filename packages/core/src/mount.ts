// Apps as Fastify plugins: each installed app is a named plugin (`@tessera/<app>`, with its
// `dependsOn` as Fastify dependencies) whose body is its `setup`; then every app's routes are
// mounted under the prefix the site gives it, named (`blog:entry-detail`) and overridden by name.
import type { FastifyInstance, RouteOptions, preHandlerHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import type { AppContext, AppSpec, SiteContext } from './contract.ts';

/** The Fastify plugin name of an installed app. */
export function pluginName(app: string): string {
  return `@tessera/${app}`;
}

function contextOf(site: SiteContext, app: AppSpec): AppContext {
  return { name: app.name, options: site.options.get(app.name), site };
}

/**
 * An installed app as a named plugin: its body is the app's `setup`, on the instance Tessera is
 * registered in (decorators and services are seen by every route there). Fastify checks the
 * metadata too; ours checked first, with the clearer message (`MissingDependency`).
 */
export function appPlugin(site: SiteContext, app: AppSpec) {
  return fp(
    async function setupApp(fastify: FastifyInstance) {
      await app.setup?.(fastify, contextOf(site, app));
    },
    {
      name: pluginName(app.name),
      fastify: '5.x',
      dependencies: [pluginName('core'), ...(app.dependsOn ?? []).map(pluginName)],
    },
  );
}

/** Mounts every app's routes at its prefix, then the site's own root routes. */
export async function mountRoutes(fastify: FastifyInstance, site: SiteContext): Promise<void> {
  const { settings } = site;
  for (const app of site.apps) {
    if (!app.routes) continue;
    // Core's own routes (`core:csrf-token`) sit at the root unless the site says otherwise.
    const prefix = settings.routes.mounts[app.name] ?? (app.name === 'core' ? '/' : `/${app.name}`);
    await fastify.register(
      async function appRoutes(scope) {
        scope.addHook('onRoute', (r) => nameRoute(site, app.name, r));
        await app.routes!(scope, contextOf(site, app));
      },
      { prefix: prefix === '/' ? '' : prefix },
    );
  }
  const register = settings.routes.register;
  if (register) {
    await fastify.register(async function siteRoutes(scope) {
      scope.addHook('onRoute', (r) => nameRoute(site, undefined, r));
      await register(scope, site);
    });
  }
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
    const existing: preHandlerHookHandler[] = r.preHandler
      ? ([] as preHandlerHookHandler[]).concat(r.preHandler as preHandlerHookHandler)
      : [];
    r.preHandler = [override.preHandler, ...existing];
  }
}
