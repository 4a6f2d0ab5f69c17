// Static files in development: each app's at `/static/<app>/`, the site's at `/static/`.
// Production puts a front server there (`serveStatic: false`, `tessera collectstatic`).
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import fastifyStatic from '@fastify/static';
import type { AppSpec, SiteSettings } from './contract.ts';
import { toDir } from './templates.ts';

/** The plugin's options: the settings and the installed apps. */
export interface StaticFilesOptions {
  settings: SiteSettings;
  apps: readonly AppSpec[];
}

async function staticFiles(fastify: FastifyInstance, opts: StaticFilesOptions): Promise<void> {
  const { settings, apps } = opts;
  if (!settings.serveStatic) return;
  const folders = apps.flatMap((a) =>
    a.static ? [{ root: a.static, prefix: `/static/${a.name}/` }] : [],
  );
  if (settings.static)
    folders.push({ root: new URL(`file://${toDir(settings.static)}`), prefix: '/static/' });
  for (const { root, prefix } of folders) {
    await fastify.register(fastifyStatic, {
      root: toDir(root),
      prefix,
      decorateReply: false,
      index: false,
    });
  }
}

/** Static files as a plugin of the site's context. */
export const staticFilesPlugin = fp(staticFiles, { name: '@tessera/core:static-files' });
