import type { FastifyInstance, FastifyRequest } from 'fastify';
import { choose, invalidForm, type AppContext } from '@tessera/core';
import { TAGGING_CACHE_TAGS } from '@tessera/tagging';
import { requirePermission } from '@tessera/auth';
import {
  EntryDetailShape,
  EntryPageShape,
  ListQuery,
  ProblemShape,
  SlugParams,
  bodyShape,
  strictValidator,
} from './api-schemas.ts';
import { BLOG_CACHE_TAGS } from './cache-tags.ts';
import { deleteEntry, saveEntry } from './entries.ts';
import { EntryNotFound } from './errors.ts';
import { entryForm } from './forms.ts';
import { canSee, inputOf, valuesOf } from './http.ts';
import type { BlogOptions } from './options.ts';
import { blogOf } from './runtime.ts';
import type { EntryDetail } from './types.ts';

/** OpenAPI metadata (read by a site's @fastify/swagger): every blog route is tagged `blog`. */
const openapi = (summary: string) => ({ tags: ['blog'], summary });
const problems = {
  401: ProblemShape,
  403: ProblemShape,
  404: ProblemShape,
  422: ProblemShape,
};

/**
 * The JSON API: list and detail are public (drafts only to their author and staff); create,
 * update and delete need `blog.add_entry`, `blog.change_entry`, `blog.delete_entry`. Each route
 * has a TypeBox `schema` tagged `blog`, so a site's @fastify/swagger documents it.
 */
export async function apiRoutes(
  fastify: FastifyInstance,
  ctx: AppContext<BlogOptions>,
): Promise<void> {
  const { site, options } = ctx;
  const { reads } = blogOf(site);
  const { form } = options;
  // The body schema is the site's form's (its own fields documented and accepted); a form chosen
  // per request is known only then: the entry form's schema documents it, and its own parse
  // refuses what it does not take.
  const perRequest = typeof form === 'function';
  const bodyForm = perRequest ? entryForm : form;

  const visible = async (request: FastifyRequest, slug: string): Promise<EntryDetail> => {
    const entry = await reads.detail(request.em, slug);
    if (!entry || !canSee(request.user, entry)) throw new EntryNotFound(slug);
    return entry;
  };

  /** Runs the entry form over the input, so the API checks exactly what the pages check. */
  const parse = async (request: FastifyRequest, input: Record<string, unknown>) => {
    const parsed = await choose(form, request).parse(input);
    if (!parsed.ok) throw invalidForm(parsed.errors);
    return inputOf(parsed.data);
  };

  fastify.get<{ Querystring: { page?: number; tag?: string; author?: number } }>(
    '/api/entries',
    {
      config: { name: 'api-list', api: true, cache: true },
      schema: {
        ...openapi('List published entries, newest first'),
        querystring: ListQuery,
        response: { 200: EntryPageShape, 404: ProblemShape },
      },
    },
    async function apiList(request, reply) {
      const { page: number = 1, tag, author } = request.query;
      const page = await reads.page(
        request.em,
        { ...(tag ? { tag } : {}), ...(author ? { authorId: author } : {}) },
        number,
        options.paginateBy,
      );
      if (!page) throw new EntryNotFound(`page ${number}`);
      const link = (n: number) => {
        const q = new URLSearchParams({ page: String(n) });
        if (tag) q.set('tag', tag);
        if (author) q.set('author', String(author));
        return `${site.url('blog:api-list')}?${q}`;
      };
      reply.cacheTags(BLOG_CACHE_TAGS.list, ...(tag ? [TAGGING_CACHE_TAGS.tag(tag)] : []));
      return {
        count: page.count,
        page: page.number,
        pages: page.pages,
        next: page.hasNext ? link(page.number + 1) : null,
        previous: page.hasPrevious ? link(page.number - 1) : null,
        results: page.items,
      };
    },
  );

  fastify.get<{ Params: { slug: string } }>(
    '/api/entries/:slug',
    {
      config: { name: 'api-detail', api: true, cache: true },
      schema: {
        ...openapi('One entry (a draft only to its author and staff)'),
        params: SlugParams,
        response: { 200: EntryDetailShape, 404: ProblemShape },
      },
    },
    async function apiDetail(request, reply) {
      const entry = await visible(request, request.params.slug);
      reply.cacheTags(BLOG_CACHE_TAGS.entry(entry.slug));
      return entry;
    },
  );

  fastify.post<{ Body: Record<string, unknown> }>(
    '/api/entries',
    {
      config: { name: 'api-list', api: true },
      preHandler: requirePermission('blog.add_entry'),
      validatorCompiler: strictValidator,
      schema: {
        ...openapi('Create an entry (needs blog.add_entry)'),
        body: bodyShape(bodyForm.schema, { partial: false, open: perRequest }),
        response: { 201: EntryDetailShape, ...problems },
      },
    },
    async function apiCreate(request, reply) {
      const input = await parse(request, request.body);
      const saved = await saveEntry(site, request.em, null, input, { user: request.user });
      const entry = (await reads.detail(request.em, saved.slug))!;
      return reply
        .status(201)
        .header('location', site.url('blog:api-detail', { slug: saved.slug }))
        .send(entry);
    },
  );

  fastify.patch<{ Params: { slug: string }; Body: Record<string, unknown> }>(
    '/api/entries/:slug',
    {
      config: { name: 'api-detail', api: true },
      preHandler: requirePermission('blog.change_entry'),
      validatorCompiler: strictValidator,
      schema: {
        ...openapi('Change an entry: only the fields sent (needs blog.change_entry)'),
        params: SlugParams,
        body: bodyShape(bodyForm.schema, { partial: true, open: perRequest }),
        response: { 200: EntryDetailShape, ...problems },
      },
    },
    async function apiUpdate(request) {
      const current = await visible(request, request.params.slug);
      const stored = valuesOf(current, options.excerptLength);
      const input = await parse(request, {
        ...stored,
        pubDate: current.pubDate.toISOString(),
        ...request.body,
      });
      const saved = await saveEntry(site, request.em, current.slug, input, {
        user: request.user,
      });
      return (await reads.detail(request.em, saved.slug))!;
    },
  );

  fastify.delete<{ Params: { slug: string } }>(
    '/api/entries/:slug',
    {
      config: { name: 'api-detail', api: true },
      preHandler: requirePermission('blog.delete_entry'),
      schema: {
        ...openapi('Delete an entry (needs blog.delete_entry)'),
        params: SlugParams,
        response: { 204: Type204, ...problems },
      },
    },
    async function apiDelete(request, reply) {
      const entry = await visible(request, request.params.slug);
      await deleteEntry(site, request.em, entry.slug, { user: request.user });
      return reply.status(204).send();
    },
  );
}

const Type204 = { type: 'null', description: 'Deleted.' } as const;
