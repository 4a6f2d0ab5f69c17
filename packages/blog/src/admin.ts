// What the blog offers the admin: entries, edited with the blog's own form (a site's extended one
// too) and saved through `saveEntry`/`deleteEntry`, so `blog:entry-saved` fires and the cache
// invalidates exactly as from the editing pages.
import { defineAdmin, type AdminContext, type EntityManager } from '@tessera/core';
import { deleteEntry, saveEntry } from './entries.ts';
import { Entry } from './entry.entity.ts';
import { inputOf, valuesOf } from './http.ts';
import { blogOf } from './runtime.ts';
import type { EntryStatus } from './types.ts';

/** The stored values of the entry with `slug` as the form takes them (null when gone). */
async function formValues(ctx: AdminContext, em: EntityManager, slug: string) {
  const { reads, options } = blogOf(ctx.site);
  const entry = await reads.detail(em, slug);
  return entry ? valuesOf(entry, options.excerptLength) : null;
}

/** Saves each entry of `ids` with `status`, one `saveEntry` each (hooks and invalidation per entry). */
async function setStatus(ctx: AdminContext, ids: number[], status: EntryStatus): Promise<string> {
  const rows = await ctx.em.execute<{ slug: string }[]>(
    'select slug from blog_entry where id in (?) and status <> ? order by id',
    [ids, status],
  );
  for (const { slug } of rows) {
    const values = await formValues(ctx, ctx.em, slug);
    if (!values) continue;
    await saveEntry(ctx.site, ctx.em, slug, inputOf({ ...values, status }), { user: ctx.user });
  }
  const n = rows.length;
  return `${status === 'live' ? 'Published' : 'Unpublished'} ${n} ${n === 1 ? 'entry' : 'entries'}.`;
}

/** The blog's admin registration. */
export const blogAdmin = defineAdmin({
  entities: [
    {
      name: 'entry',
      entity: Entry,
      label: 'entry',
      plural: 'entries',
      columns: ['title', 'status', 'pubDate', 'slug'],
      search: ['title', 'slug'],
      filters: [
        {
          field: 'status',
          choices: [
            ['draft', 'Draft'],
            ['live', 'Live'],
          ],
        },
        'pubDate',
      ],
      ordering: ['-pubDate'],
      form: 'form',
      readOnly: ['createdAt', 'updatedAt', 'firstPublishedAt'],
      actions: [
        {
          name: 'publish',
          label: 'Publish selected entries',
          handler: (ctx, ids) => setStatus(ctx, ids, 'live'),
        },
        {
          name: 'unpublish',
          label: 'Unpublish selected entries (back to draft)',
          handler: (ctx, ids) => setStatus(ctx, ids, 'draft'),
        },
      ],
      initial: async (ctx, row) => (await formValues(ctx, ctx.em, String(row.slug))) ?? {},
      save: async (ctx, row, data) =>
        (
          await saveEntry(ctx.site, ctx.em, row ? String(row.slug) : null, inputOf(data), {
            user: ctx.user,
          })
        ).id,
      delete: async (ctx, row) => {
        await deleteEntry(ctx.site, ctx.em, String(row.slug), { user: ctx.user });
      },
    },
  ],
});
