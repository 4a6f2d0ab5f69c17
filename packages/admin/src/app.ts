import { defineApp, fromPackageJson } from '@tessera/core';
import './augment.ts';
import { LogEntry } from './log-entry.entity.ts';
import { migrations } from './migrations/index.ts';
import { buildModels } from './models.ts';
import { AdminOptions } from './options.ts';
import { declarePermissions } from './permissions.ts';
import { adminRoutes } from './routes.ts';
import { ADMIN } from './runtime.ts';

/**
 * Staff manage every installed app's data through the app's own forms, services and hooks: apps
 * register their entities in their definition (`admin: defineAdmin(...)`), the admin never imports them.
 */
export const admin = defineApp({
  name: 'admin',
  ...fromPackageJson(new URL('../package.json', import.meta.url)),
  dependsOn: ['auth'],
  entities: [LogEntry],
  migrations,
  migrationsDir: new URL('./migrations/', import.meta.url),
  templates: new URL('../templates/', import.meta.url),
  static: new URL('../static/', import.meta.url),
  options: AdminOptions,
  setup(fastify, { site, options }) {
    const { models, problems } = buildModels(site);
    site.state.set(ADMIN, {
      options,
      models,
      problems,
      templates: new Map(),
      model: (app, entity) => models.find((m) => m.app === app && m.name === entity),
    });
    fastify.addHook('onReady', async function declareAdminPermissions() {
      await declarePermissions(site, models);
    });
  },
  routes: adminRoutes,
  checks: (site) => site.state.get(ADMIN).problems,
});
