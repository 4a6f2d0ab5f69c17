// What the site's sidebar lists: the newest archive months and the most used tags. Templates ask
// for them (`{% set months = 12 | archive_months %}`), so a page without the sidebar (a form, an
// error page) costs no query; the cache app keeps each list until an entry or a tag changes.
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
  const kept = <T>(key: string, tag: string, load: () => Promise<T>): Promise<T> =>
    fastify.hasDecorator('cache')
      ? fastify.cache.wrap(key, load, { ttl: SIDEBAR_TTL, tags: [tag] })
      : load();
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
