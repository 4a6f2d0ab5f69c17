import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  NotFound,
  choose,
  defineForm,
  formView,
  refuse,
  safePath,
  type AppContext,
} from '@tessera/core';
import { PermissionDenied, requirePermission, requireUser } from '@tessera/auth';
import { deleteEntry, saveEntry } from './entries.ts';
import { isFieldError } from './errors.ts';
import { canSee, inputOf, isPublic, pageNumber, valuesOf } from './http.ts';
import { renderMarkdown } from './markdown.ts';
import type { BlogOptions } from './options.ts';
import { blogOf } from './runtime.ts';
import type { EntryDetail } from './types.ts';

/** The entry an edit or delete page is about, loaded once by its preHandler. */
const ENTRY = Symbol('tessera.blog.entry');
type WithEntry = FastifyRequest & { [ENTRY]?: EntryDetail };

/** The delete confirmation: no fields of its own, only the CSRF token and the button. */
const confirmDeleteForm = defineForm({ name: 'confirm-delete', fields: {} });

/**
 * The staff pages: unpublished entries, then create, edit and delete — each one core form view
 * (GET renders, POST validates, saves and redirects) — and the preview.
 */
export async function editingRoutes(
  fastify: FastifyInstance,
  ctx: AppContext<BlogOptions>,
): Promise<void> {
  const { site, options } = ctx;
  const { reads } = blogOf(site);
  const { form } = options;
  const entryOf = (request: FastifyRequest) => (request as WithEntry)[ENTRY] ?? null;

  /** The entry of `:slug` if this user may see it, else a 404 (drafts stay hidden). */
  async function loadEntry(request: FastifyRequest) {
    const entry = await reads.detail(request.em, (request.params as { slug: string }).slug);
    if (!entry || !canSee(request.user, entry)) throw new NotFound();
    (request as WithEntry)[ENTRY] = entry;
  }

  /** The new and edit pages: `action` is where the form posts. */
  const entryView = (action: (entry: EntryDetail | null) => string) =>
    formView({
      form,
      template: options.formTemplate,
      context: (request) => ({
        entry: entryOf(request),
        action: action(entryOf(request)),
        preview_url: site.url('blog:entry-preview'),
      }),
      initial: (request) => {
        const entry = entryOf(request);
        return entry ? valuesOf(entry, options.excerptLength) : { status: 'draft' };
      },
      async action(request, data) {
        try {
          const saved = await saveEntry(
            site,
            request.em,
            entryOf(request)?.slug ?? null,
            inputOf(data),
            { user: request.user },
          );
          request.flash('success', `Saved “${saved.title}”.`);
          return saved;
        } catch (err) {
          // A taken slug, a vetoing listener, a body past the markdown limits: beside the fields.
          if (isFieldError(err)) return refuse(err.errors);
          throw err;
        }
      },
      successRedirect: options.successRedirect,
    });

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
      return reply.render(choose(options.draftsTemplate, request), {
        page,
        entries: page.items,
      });
    },
  );

  const create = entryView(() => site.url('blog:entry-create'));
  const canAdd = requirePermission('blog.add_entry');
  fastify.get('/new', { config: { name: 'entry-create' }, preHandler: canAdd }, create.get);
  fastify.post('/new', { config: { name: 'entry-create' }, preHandler: canAdd }, create.post);

  const edit = entryView((entry) => site.url('blog:entry-edit', { slug: entry!.slug }));
  const canChange = [requirePermission('blog.change_entry'), loadEntry];
  fastify.get('/edit/:slug', { config: { name: 'entry-edit' }, preHandler: canChange }, edit.get);
  fastify.post('/edit/:slug', { config: { name: 'entry-edit' }, preHandler: canChange }, edit.post);

  const remove = formView({
    form: confirmDeleteForm,
    template: options.confirmDeleteTemplate,
    context: (request) => ({ entry: entryOf(request) }),
    async action(request) {
      const deleted = await deleteEntry(site, request.em, entryOf(request)!.slug, {
        user: request.user,
      });
      if (!deleted) throw new NotFound();
      request.flash('success', `Deleted “${deleted.title}”.`);
      return deleted;
    },
    successRedirect: options.deleteRedirect,
  });
  const canDelete = [requirePermission('blog.delete_entry'), loadEntry];
  fastify.get(
    '/delete/:slug',
    { config: { name: 'entry-delete' }, preHandler: canDelete },
    remove.get,
  );
  fastify.post(
    '/delete/:slug',
    { config: { name: 'entry-delete' }, preHandler: canDelete },
    remove.post,
  );

  // The preview renders what the form holds without saving it, so it is not a form view.
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
      const entryForm = choose(form, request);
      // Where the previewed form posts when saved: the page it came from, if that is on this site.
      const action = safePath(body.next) ?? site.url('blog:entry-create');
      const preview_url = site.url('blog:entry-preview');
      const formPage = (values: Record<string, unknown>, errors: Record<string, string[]>) =>
        reply.render(
          choose(options.formTemplate, request),
          { form: entryForm.bind(values, errors), entry: null, action, preview_url },
          422,
        );
      const parsed = await entryForm.parse(body);
      if (!parsed.ok) return formPage(parsed.values, parsed.errors);
      const input = inputOf(parsed.data);
      let html: string;
      try {
        html = renderMarkdown(input.body);
      } catch (err) {
        // A body past the markdown limits: the form again, the limit named on the body field.
        if (isFieldError(err)) return formPage(body, err.errors);
        throw err;
      }
      return reply.render(choose(options.previewTemplate, request), {
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
        form: entryForm.bind(body),
        action,
        preview_url,
      });
    },
  );
}
