// What the site's sidebar lists: the newest archive months and the most used tags. Templates ask
// for them (`{% set months = 12 | archive_months %}`), so a page without the sidebar (a form, an
// error page) costs no query; each list is kept until an entry or a tag changes — by the cache app
// when the site has it, in this process otherwise (a list page then sends its own query only).
import type { FastifyInstance } from 'fastify';
import { BLOG_CACHE_TAGS, archiveMonths } from '@tessera/blog';
import type { SiteContext } from '@tessera/core';
import { TAGGING_CACHE_TAGS, cloud, getTagging } from '@tessera/tagging';

/** Seconds a sidebar list is kept at most (entries and tags changing drop it sooner). */
const SIDEBAR_TTL = 300;
/** The tag cloud's weight classes, as the tag list page has them. */
const CLOUD_STEPS = 4;

/** Adds the asynchronous template filters `archive_months` and `tag_cloud` (how many to show → list). */
export function registerSidebar(fastify: FastifyInstance, site: SiteContext): void {
  const kept: Keep = fastify.hasDecorator('cache')
    ? (key, tag, load) => fastify.cache.wrap(key, load, { ttl: SIDEBAR_TTL, tags: [tag] })
    : keptInProcess(site);
  addListFilter(site, 'archive_months', (limit) =>
    kept(`sidebar:months:${limit}`, BLOG_CACHE_TAGS.list, () =>
      archiveMonths(site, site.orm.em.fork(), limit),
    ),
  );
  addListFilter(site, 'tag_cloud', (limit) =>
    kept(`sidebar:tags:${limit}`, TAGGING_CACHE_TAGS.cloud, async () => {
      const common = await getTagging(site).mostCommon(site.orm.em.fork(), { limit });
      return cloud(common, CLOUD_STEPS, (slug) => site.url('tagging:tag-detail', { slug }));
    }),
  );
}

type Keep = <T>(key: string, tag: string, load: () => Promise<T>) => Promise<T>;

/**
 * Without the cache app: each list kept in this process for SIDEBAR_TTL seconds at most, and
 * dropped as soon as the apps invalidate its tag (core's `invalidateTags`, called after every
 * commit that changes entries or tags). Another process of the same site sees a change when
 * its copy expires. A handful of keys (one per list and length a template asks for).
 */
function keptInProcess(site: SiteContext): Keep {
  const kept = new Map<string, { tag: string; until: number; value: Promise<unknown> }>();
  const invalidate = site.services.invalidateTags;
  site.services.invalidateTags = async function invalidateSidebar(tags) {
    for (const [key, k] of kept) if (tags.includes(k.tag)) kept.delete(key);
    await invalidate(tags);
  };
  return <T>(key: string, tag: string, load: () => Promise<T>): Promise<T> => {
    const now = Date.now();
    const hit = kept.get(key);
    if (hit && hit.until > now) return hit.value as Promise<T>;
    const value = load();
    kept.set(key, { tag, until: now + SIDEBAR_TTL * 1000, value });
    // A failed load is not kept: the next page asks again.
    value.catch(() => {
      if (kept.get(key)?.value === value) kept.delete(key);
    });
    return value;
  };
}

/** An asynchronous filter answering a list; when loading fails the page shows an empty one. */
function addListFilter(
  site: SiteContext,
  name: string,
  load: (limit: number) => Promise<unknown[]>,
): void {
  site.templates.env.addFilter(
    name,
    (limit: unknown, done: (err: null, value: unknown[]) => void) => {
      load(Math.max(1, Math.trunc(Number(limit)) || 1)).then(
        (list) => done(null, list),
        (err: unknown) => {
          site.log.warn({ err }, `sidebar: ${name} failed`);
          done(null, []);
        },
      );
    },
    true,
  );
}
