import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NotFound, choose, type AppContext } from '@tessera/core';
import { TAGGING_CACHE_TAGS, getTagging } from '@tessera/tagging';
import { apiRoutes } from './api.ts';
import { BLOG_CACHE_TAGS } from './cache-tags.ts';
import { editingRoutes } from './editing.ts';
import { buildFeed } from './feeds.ts';
import { canSee, isPublic, monthOf, monthUrl, originOf, pageAt, yearOf } from './http.ts';
import type { BlogOptions } from './options.ts';
import { utc, type EntryFilter } from './queries.ts';
import { blogOf } from './runtime.ts';

/** Most URLs one sitemap file may list. */
export const SITEMAP_MAX_URLS = 50_000;

/**
 * The blog's routes: public pages and feeds here, staff pages in `editing.ts`, the JSON API in
 * `api.ts`. Public pages read plain rows and tag their responses for the cache app.
 */
export async function blogRoutes(
  fastify: FastifyInstance,
  ctx: AppContext<BlogOptions>,
): Promise<void> {
  const { site, options } = ctx;
  const runtime = blogOf(site);
  const { reads } = runtime;
  const perPage = options.paginateBy;

  /**
   * One page of `filter`, or a 404 past the last page. An older page number than the numbered
   * ones is answered by a redirect to its position (undefined: the reply is sent).
   */
  const pageOf = async (request: FastifyRequest, reply: FastifyReply, filter: EntryFilter) => {
    const at = pageAt(request);
    if (typeof at === 'number' && at > options.numberedPages) {
      const position = await reads.positionOf(request.em, filter, at, perPage);
      if (!position || !('before' in position)) throw new NotFound();
      const { at: date, id } = position.before;
      // Permanent: "the entries older than this one" stays true, whatever gets published.
      reply.redirect(`${request.url.split('?')[0]}?before=${date}_${id}`, 301);
      return undefined;
    }
    const page = await reads.page(request.em, filter, at, perPage, options.numberedPages);
    if (!page) throw new NotFound();
    return page;
  };

  fastify.get(
    '/',
    { config: { name: 'entry-list', cache: true } },
    async function entryList(request, reply) {
      const page = await pageOf(request, reply, {});
      if (!page) return reply;
      reply.cacheTags(BLOG_CACHE_TAGS.list);
      return reply.render(choose(options.listTemplate, request), { page, entries: page.items });
    },
  );

  fastify.get<{ Params: { year: string; month: string; slug: string } }>(
    '/:year/:month/:slug',
    { config: { name: 'entry-detail', cache: true } },
    async function entryDetail(request, reply) {
      const { year, month, slug } = request.params;
      yearOf(year);
      monthOf(month);
      const entry = await reads.detail(request.em, slug);
      if (!entry || !canSee(request.user, entry)) throw new NotFound();
      // One address per entry: a wrong year or month (or a changed date) moves permanently.
      if (request.url.split('?')[0]!.replace(/(.)\/+$/, '$1') !== entry.url) {
        return reply.redirect(entry.url, 301);
      }
      reply.cacheTags(BLOG_CACHE_TAGS.entry(entry.slug));
      return reply.render(choose(options.detailTemplate, request), {
        entry,
        public: isPublic(entry),
      });
    },
  );

  fastify.get<{ Params: { year: string } }>(
    '/archive/:year',
    { config: { name: 'archive-year', cache: true } },
    async function archiveYear(request, reply) {
      const year = yearOf(request.params.year);
      const months = await reads.months(request.em, year);
      // Like Django's date-based views: an archive with nothing in it does not exist.
      if (!months.length) throw new NotFound();
      const page = await pageOf(request, reply, { from: utc(year, 1), to: utc(year + 1, 1) });
      if (!page) return reply;
      reply.cacheTags(BLOG_CACHE_TAGS.list);
      return reply.render(choose(options.archiveYearTemplate, request), {
        year,
        months: months.map((m) => ({
          ...m,
          date: utc(year, m.month),
          url: monthUrl(site, year, m.month),
        })),
        page,
        entries: page.items,
      });
    },
  );

  fastify.get<{ Params: { year: string; month: string } }>(
    '/archive/:year/:month',
    { config: { name: 'archive-month', cache: true } },
    async function archiveMonth(request, reply) {
      const year = yearOf(request.params.year);
      const month = monthOf(request.params.month);
      const from = utc(year, month);
      const to = utc(year, month + 1);
      const page = await pageOf(request, reply, { from, to });
      if (!page) return reply;
      if (!page.count) throw new NotFound();
      const { previous, next } = await reads.neighbours(request.em, from, to);
      reply.cacheTags(BLOG_CACHE_TAGS.list);
      return reply.render(choose(options.archiveMonthTemplate, request), {
        year,
        month,
        date: from,
        previous: previous && monthLink(previous),
        next: next && monthLink(next),
        page,
        entries: page.items,
      });
    },
  );

  fastify.get<{ Params: { slug: string } }>(
    '/tag/:slug',
    { config: { name: 'tag', cache: true } },
    async function entriesByTag(request, reply) {
      const { slug } = request.params;
      const page = await pageOf(request, reply, { tag: slug });
      if (!page) return reply;
      const tag =
        page.items[0]?.tags.find((t) => t.slug === slug) ??
        (await getTagging(site).tag(request.em, slug));
      if (!tag) throw new NotFound();
      reply.cacheTags(BLOG_CACHE_TAGS.list, TAGGING_CACHE_TAGS.tag(tag.slug));
      return reply.render(choose(options.tagTemplate, request), {
        tag,
        page,
        entries: page.items,
      });
    },
  );

  fastify.get<{ Params: { id: string } }>(
    '/author/:id',
    { config: { name: 'author', cache: true } },
    async function entriesByAuthor(request, reply) {
      if (!/^[1-9]\d{0,8}$/.test(request.params.id)) throw new NotFound();
      const authorId = Number(request.params.id);
      const page = await pageOf(request, reply, { authorId });
      if (!page) return reply;
      const author = page.items[0]?.author ?? (await reads.author(request.em, authorId));
      if (!author) throw new NotFound();
      reply.cacheTags(BLOG_CACHE_TAGS.list);
      return reply.render(choose(options.authorTemplate, request), {
        author,
        page,
        entries: page.items,
      });
    },
  );

  const feed = (format: 'atom' | 'rss') =>
    async function blogFeed(request: FastifyRequest, reply: FastifyReply) {
      const rows = await reads.feed(request.em, options.feedItems);
      const xml = buildFeed(
        {
          title: options.feedTitle || site.settings.siteName,
          description: options.feedDescription,
          language: options.feedLanguage,
          origin: originOf(runtime, request),
          home: site.url('blog:entry-list'),
          atom: site.url('blog:feed-atom'),
          rss: site.url('blog:feed-rss'),
        },
        rows,
        format,
      );
      reply.cacheTags(BLOG_CACHE_TAGS.feeds);
      return reply
        .type(
          format === 'atom'
            ? 'application/atom+xml; charset=utf-8'
            : 'application/rss+xml; charset=utf-8',
        )
        .send(xml);
    };
  fastify.get('/feed/atom.xml', { config: { name: 'feed-atom', cache: true } }, feed('atom'));
  fastify.get('/feed/rss.xml', { config: { name: 'feed-rss', cache: true } }, feed('rss'));

  fastify.get(
    '/sitemap.xml',
    { config: { name: 'sitemap', cache: true } },
    async function sitemap(request, reply) {
      const origin = originOf(runtime, request);
      const rows = await reads.sitemap(request.em, SITEMAP_MAX_URLS - 1);
      const abs = (path: string) => new URL(path, origin).href;
      const xml = await site.templates.render(choose(options.sitemapTemplate, request), {
        home: { loc: abs(site.url('blog:entry-list')), lastmod: rows[0]?.updatedAt ?? null },
        urls: rows.map((r) => ({ loc: abs(r.url), lastmod: r.updatedAt })),
      });
      reply.cacheTags(BLOG_CACHE_TAGS.list);
      return reply.type('application/xml; charset=utf-8').send(xml);
    },
  );

  await editingRoutes(fastify, ctx);
  await apiRoutes(fastify, ctx);

  function monthLink(date: Date): { date: Date; url: string } {
    return {
      date: utc(date.getUTCFullYear(), date.getUTCMonth() + 1),
      url: monthUrl(site, date.getUTCFullYear(), date.getUTCMonth() + 1),
    };
  }
}
