import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NotFound, safePath, type AppContext, type FormErrors } from '@tessera/core';
import { PermissionDenied, requirePermission, requireUser } from '@tessera/auth';
import { deleteEntry, saveEntry } from './entries.ts';
import { isFieldError } from './errors.ts';
import { canSee, inputOf, isPublic, pageNumber, valuesOf } from './http.ts';
import { renderMarkdown } from './markdown.ts';
import type { BlogOptions, BlogTemplates } from './options.ts';
import { blogOf } from './runtime.ts';
import type { EntryDetail } from './types.ts';

/** The staff pages: unpublished entries, create, edit, delete (with a confirmation) and preview. */
export async function editingRoutes(
  fastify: FastifyInstance,
  ctx: AppContext<BlogOptions>,
): Promise<void> {
  const { site, options } = ctx;
  const { reads } = blogOf(site);
  const { form } = options;
  const templates = options.templates as BlogTemplates;

  /** The entry with this slug if this user may see it, else a 404 (drafts stay hidden). */
  const visible = async (request: FastifyRequest, slug: string): Promise<EntryDetail> => {
    const entry = await reads.detail(request.em, slug);
    if (!entry || !canSee(request.user, entry)) throw new NotFound();
    return entry;
  };

  const renderForm = (
    reply: FastifyReply,
    action: string,
    entry: EntryDetail | null,
    values: Record<string, unknown>,
    errors: FormErrors = {},
    status?: number,
  ) =>
    reply.render(
      templates.form,
      {
        form: form.bind(values, errors),
        entry,
        action,
        preview_url: site.url('blog:entry-preview'),
      },
      status,
    );

  /** Parses the form, saves, and redirects; bad input re-renders the form (422) and writes nothing. */
  const submit = async (
    request: FastifyRequest,
    reply: FastifyReply,
    action: string,
    entry: EntryDetail | null,
  ) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const parsed = await form.parse(body);
    if (!parsed.ok) return renderForm(reply, action, entry, parsed.values, parsed.errors, 422);
    try {
      const saved = await saveEntry(site, request.em, entry?.slug ?? null, inputOf(parsed.data), {
        user: request.user,
      });
      request.flash('success', `Saved “${saved.title}”.`);
      return await reply.redirectTo(options.successRedirect, saved);
    } catch (err) {
      if (isFieldError(err)) return renderForm(reply, action, entry, body, err.errors, 422);
      throw err;
    }
  };

  fastify.get(
    '/drafts',
    { config: { name: 'entry-drafts' }, preHandler: requireUser },
    async function entryDrafts(request, reply) {
      const user = request.user!;
      const page = await reads.page(
        request.em,
        {
          visibility: 'unpublished',
          ...(user.isStaff || user.isSuperuser ? {} : { authorId: user.id }),
        },
        pageNumber(request),
        options.paginateBy,
      );
      if (!page) throw new NotFound();
      return reply.render(templates.drafts, { page, entries: page.items });
    },
  );

  const canAdd = requirePermission('blog.add_entry');
  fastify.get(
    '/new',
    { config: { name: 'entry-create' }, preHandler: canAdd },
    async function newEntry(_request, reply) {
      return renderForm(reply, site.url('blog:entry-create'), null, { status: 'draft' });
    },
  );
  fastify.post(
    '/new',
    { config: { name: 'entry-create' }, preHandler: canAdd },
    async function createEntry(request, reply) {
      return submit(request, reply, site.url('blog:entry-create'), null);
    },
  );

  const canChange = requirePermission('blog.change_entry');
  fastify.get<{ Params: { slug: string } }>(
    '/edit/:slug',
    { config: { name: 'entry-edit' }, preHandler: canChange },
    async function editEntry(request, reply) {
      const entry = await visible(request, request.params.slug);
      const action = site.url('blog:entry-edit', { slug: entry.slug });
      return renderForm(reply, action, entry, valuesOf(entry, options.excerptLength));
    },
  );
  fastify.post<{ Params: { slug: string } }>(
    '/edit/:slug',
    { config: { name: 'entry-edit' }, preHandler: canChange },
    async function updateEntry(request, reply) {
      const entry = await visible(request, request.params.slug);
      return submit(request, reply, site.url('blog:entry-edit', { slug: entry.slug }), entry);
    },
  );

  const canDelete = requirePermission('blog.delete_entry');
  fastify.get<{ Params: { slug: string } }>(
    '/delete/:slug',
    { config: { name: 'entry-delete' }, preHandler: canDelete },
    async function confirmDelete(request, reply) {
      const entry = await visible(request, request.params.slug);
      return reply.render(templates.confirmDelete, { entry });
    },
  );
  fastify.post<{ Params: { slug: string } }>(
    '/delete/:slug',
    { config: { name: 'entry-delete' }, preHandler: canDelete },
    async function removeEntry(request, reply) {
      const entry = await visible(request, request.params.slug);
      const deleted = await deleteEntry(site, request.em, entry.slug, { user: request.user });
      if (!deleted) throw new NotFound();
      request.flash('success', `Deleted “${deleted.title}”.`);
      return reply.redirectTo(options.deleteRedirect, deleted);
    },
  );

  fastify.post(
    '/preview',
    {
      config: { name: 'entry-preview' },
      preHandler: [
        requireUser,
        async function canWrite(request) {
          const user = request.user!;
          if (!user.hasPermission('blog.add_entry') && !user.hasPermission('blog.change_entry')) {
            throw new PermissionDenied(
              'You need the permission blog.add_entry or blog.change_entry for this.',
            );
          }
        },
      ],
    },
    async function previewEntry(request, reply) {
      const body = (request.body ?? {}) as Record<string, unknown>;
      // Where the previewed form posts when saved: the page it came from, if that is on this site.
      const action = safePath(body.next) ?? site.url('blog:entry-create');
      const parsed = await form.parse(body);
      if (!parsed.ok) return renderForm(reply, action, null, parsed.values, parsed.errors, 422);
      const input = inputOf(parsed.data);
      let html: string;
      try {
        html = renderMarkdown(input.body);
      } catch (err) {
        // A body past the markdown limits: the form again, the limit named on the body field.
        if (isFieldError(err)) return renderForm(reply, action, null, body, err.errors, 422);
        throw err;
      }
      return reply.render(templates.preview, {
        preview: {
          title: input.title,
          html,
          excerpt: input.excerpt,
          status: input.status,
          pubDate: input.pubDate ?? new Date(),
          tags: input.tags,
        },
        // As on the entry's page: whether everyone would see it now (else a draft or scheduled).
        public: isPublic({ status: input.status, pubDate: input.pubDate ?? new Date() }),
        form: form.bind(body),
        action,
        preview_url: site.url('blog:entry-preview'),
      });
    },
  );
}
