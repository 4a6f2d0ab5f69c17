import { defineApp, type SiteContext, fromPackageJson } from '@tessera/core';
import './augment.ts';
import type { Cache } from './cache.ts';
import { buildCache } from './create.ts';
import { listenForInvalidations } from './hook-invalidation.ts';
import { CacheOptions, type HookTagMapper } from './options.ts';
import { installResponseCache } from './response-cache.ts';

/**
 * Response and data caching for a Tessera site: memory or Redis, ETags and 304s, single flight,
 * stale-while-revalidate, and invalidation by the tags apps name (core's `invalidateTags`).
 */
export const cache = defineApp({
  name: 'cache',
  ...fromPackageJson(new URL('../package.json', import.meta.url)),
  options: CacheOptions,
  async setup(fastify, { site, options }) {
    const built = await buildCache(options, {
      log: site.log,
      keyPrefix: slug(site.settings.siteName),
      versionOf: (app) => site.apps.find((a) => a.name === app)?.version,
    });
    fastify.decorate('cache', built.cache);
    // The kernel's meeting point: any app invalidates without importing this one.
    site.services.invalidateTags = (tags) => built.cache.invalidateTags(tags);
    publishCounters(site, built.cache);
    listenForInvalidations(
      site.hooks,
      options.hookTags as Record<string, HookTagMapper | undefined>,
      (tags) => built.cache.invalidateTags(tags),
      site.log,
    );
    installResponseCache(fastify, {
      engine: built.engine,
      options,
      base: built.base,
      respondEarly: (fn) => site.respondEarly(fn),
    });
    site.onClose(() => built.cache.close());
  },
});

/** Hands the counters to the site's metrics endpoint, where the kernel offers one. */
function publishCounters(site: SiteContext, cache: Cache): void {
  const registry = (site.services as { stats?: Map<string, () => Record<string, number>> }).stats;
  if (!(registry instanceof Map)) return;
  registry.set('cache', () => {
    const { backend: _backend, available, ...counters } = cache.stats();
    return { ...counters, available: available ? 1 : 0 };
  });
}

/** The site's name as a key prefix: `My Site` → `my-site`. */
export function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'tessera'
  );
}
