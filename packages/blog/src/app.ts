import { defineApp, fromPackageJson } from '@tessera/core';
import { registerTaggable } from '@tessera/tagging';
import { blogAdmin } from './admin.ts';
import './augment.ts';
import { blogDemoCommand } from './demo.ts';
import { Entry } from './entry.entity.ts';
import { EntryTally } from './entry-tally.entity.ts';
import { migrations } from './migrations/index.ts';
import { publicEntryIds } from './queries.ts';
import { BlogOptions } from './options.ts';
import { blogJobs } from './publishing.ts';
import { blogRoutes } from './routes.ts';
import { installBlog } from './runtime.ts';

/** The hooks the blog fires. */
export const BLOG_HOOKS = [
  'blog:entry-saving',
  'blog:entry-saved',
  'blog:entry-published',
  'blog:entry-deleted',
] as const;

/** The permissions the blog's editing pages and API need. */
export const BLOG_PERMISSIONS = [
  'blog.add_entry',
  'blog.change_entry',
  'blog.delete_entry',
] as const;

/**
 * Handles entries in a weblog: drafts, archives, tag and author pages, feeds, a sitemap, a JSON
 * API and staff editing. Users come from auth, tags from tagging. `apps: [auth(), tagging(), blog()]`.
 */
export const blog = defineApp({
  name: 'blog',
  ...fromPackageJson(new URL('../package.json', import.meta.url)),
  dependsOn: ['auth', 'tagging'],
  entities: [Entry, EntryTally],
  migrations,
  migrationsDir: new URL('./migrations/', import.meta.url),
  templates: new URL('../templates/', import.meta.url),
  options: BlogOptions,
  hooks: BLOG_HOOKS,
  setup(_fastify, ctx) {
    const { reads } = installBlog(ctx.site, ctx.options);
    registerTaggable(ctx.site, {
      type: Entry,
      label: 'Blog entries',
      load: (em, ids) => reads.titles(em, ids),
      // Tag counts, clouds and tag pages count only the entries a visitor may see.
      visible: publicEntryIds,
    });
  },
  routes: blogRoutes,
  jobs: blogJobs,
  commands: { 'blog:demo': blogDemoCommand() },
  admin: blogAdmin,
});
