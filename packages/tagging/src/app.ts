import { defineApp, fromPackageJson } from '@tessera/core';
import { taggingAdmin } from './admin.ts';
import './augment.ts';
import { migrations } from './migrations/index.ts';
import { TaggingOptions } from './options.ts';
import { taggingRoutes } from './routes.ts';
import { Tag } from './tag.entity.ts';
import { TaggedItem } from './tagged-item.entity.ts';
import { TAGGING, Tagging, getTagging } from './tagging.ts';

/** Tags for any entity of any app, del.icio.us style: batch lookups, tag pages and a tag cloud. */
export const tagging = defineApp({
  name: 'tagging',
  ...fromPackageJson(new URL('../package.json', import.meta.url)),
  entities: [Tag, TaggedItem],
  migrations,
  migrationsDir: new URL('./migrations/', import.meta.url),
  templates: new URL('../templates/', import.meta.url),
  options: TaggingOptions,
  hooks: ['tagging:tags-changed'],
  setup(fastify, ctx) {
    const service = new Tagging(ctx.site, ctx.options);
    ctx.site.state.set(TAGGING, service);
    fastify.decorate('tagging', service);
  },
  routes: taggingRoutes,
  // Every registered type says what a visitor may see (its `visible`), or the boot stops.
  checks: (site) => getTagging(site).checks(),
  admin: taggingAdmin,
});
