import type { FastifyInstance } from 'fastify';
import { NotFound, choose, type AppContext } from '@tessera/core';
import { TAGGING_CACHE_TAGS } from './cache-tags.ts';
import { slugify } from './names.ts';
import type { TaggingOptions } from './options.ts';
import { tagCloud, tagPage } from './pages.ts';
import { TAG_SLUG_COLUMN_LENGTH } from './tag.entity.ts';
import { getTagging } from './tagging.ts';

const SlugParams = {
  type: 'object',
  properties: { slug: { type: 'string', minLength: 1, maxLength: TAG_SLUG_COLUMN_LENGTH } },
  required: ['slug'],
} as const;

const NO_TAG = 'No tag has this address.';

/** The tag list (cloud), each tag's page, and the same two as JSON. */
export function taggingRoutes(fastify: FastifyInstance, ctx: AppContext<TaggingOptions>): void {
  const { site, options } = ctx;
  const tagging = getTagging(site);

  fastify.get('/', { config: { name: 'tag-list' } }, async (request, reply) => {
    const tags = await tagCloud(site, tagging, request.em, options.cloudSize, options.cloudSteps);
    reply.cacheTags(TAGGING_CACHE_TAGS.cloud);
    return reply.render(choose(options.listTemplate, request), { tags });
  });

  fastify.get(
    '/api/tags',
    { config: { name: 'api-tag-list', api: true } },
    async (request, reply) => {
      reply.cacheTags(TAGGING_CACHE_TAGS.cloud);
      return {
        tags: await tagCloud(site, tagging, request.em, options.cloudSize, options.cloudSteps),
      };
    },
  );

  fastify.get<{ Params: { slug: string } }>(
    '/api/tags/:slug',
    { schema: { params: SlugParams }, config: { name: 'api-tag-detail', api: true } },
    async (request, reply) => {
      const page = await tagPage(
        site,
        tagging,
        request.em,
        request.params.slug,
        options.itemsPerType,
      );
      if (!page) throw new NotFound(NO_TAG);
      reply.cacheTags(TAGGING_CACHE_TAGS.tag(page.tag.slug));
      return page;
    },
  );

  fastify.get<{ Params: { slug: string } }>(
    '/:slug',
    { schema: { params: SlugParams }, config: { name: 'tag-detail' } },
    async (request, reply) => {
      const { slug } = request.params;
      const page = await tagPage(site, tagging, request.em, slug, options.itemsPerType);
      if (page) {
        reply.cacheTags(TAGGING_CACHE_TAGS.tag(page.tag.slug));
        return reply.render(choose(options.detailTemplate, request), { ...page });
      }
      // `/tags/Python` finds `/tags/python`: one canonical address per tag.
      const canonical = slugify(slug);
      if (canonical && canonical !== slug && (await tagging.tag(request.em, canonical))) {
        return reply.redirect(site.url('tagging:tag-detail', { slug: canonical }), 301);
      }
      throw new NotFound(NO_TAG);
    },
  );
}
