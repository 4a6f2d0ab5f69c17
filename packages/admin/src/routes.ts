import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireStaff } from '@tessera/auth';
import type { AppContext } from '@tessera/core';
import { changeList, runAction } from './list-view.ts';
import {
  addObject,
  addPage,
  canAdd,
  canDelete,
  changeObject,
  changePage,
  deleteObject,
  deletePage,
  loadObject,
} from './object-views.ts';
import type { AdminOptions } from './options.ts';
import {
  canView,
  loadModel,
  modelUrls,
  pageTemplate,
  permissionsOn,
  requireView,
} from './pages.ts';
import { recentLog } from './reads.ts';
import { adminOf } from './runtime.ts';

/** The home page: each app's entities the user may see, and the latest changes. */
async function index(request: FastifyRequest, reply: FastifyReply) {
  const site = request.server.tessera;
  const runtime = adminOf(site);
  const apps = new Map<string, { name: string; models: unknown[] }>();
  for (const model of runtime.models) {
    if (!canView(request, model)) continue;
    const entry = apps.get(model.app) ?? { name: model.app, models: [] };
    entry.models.push({
      label: model.plural,
      urls: modelUrls(site, model),
      can: permissionsOn(request, model),
    });
    apps.set(model.app, entry);
  }
  // Changes to what the user may not see stay hidden from them too.
  const recent = (await recentLog(request.em, runtime.options.recentActions)).filter((row) => {
    const model = runtime.model(row.app, row.entity);
    return model !== undefined && canView(request, model);
  });
  return reply.render(pageTemplate(site, undefined, 'index'), {
    apps: [...apps.values()],
    recent,
  });
}

/**
 * The admin's routes: signed-in staff only (auth's guard), then the model's permissions on every
 * page. Every unsafe route takes core's CSRF token like any other form.
 */
export async function adminRoutes(
  fastify: FastifyInstance,
  _ctx: AppContext<AdminOptions>,
): Promise<void> {
  fastify.addHook('preHandler', requireStaff);
  fastify.addHook('onSend', async function adminPagesAreNotIndexed(_request, reply) {
    reply.header('x-robots-tag', 'noindex, nofollow');
  });
  const list = { preHandler: [loadModel, requireView] };
  const object = { preHandler: [loadModel, requireView, loadObject] };
  fastify.get('/', { config: { name: 'index' } }, index);
  fastify.get('/:app/:entity', { config: { name: 'change-list' }, ...list }, changeList);
  fastify.post('/:app/:entity', { config: { name: 'change-list' }, ...list }, runAction);
  const adding = { preHandler: [loadModel, canAdd] };
  fastify.get('/:app/:entity/add', { config: { name: 'add' }, ...adding }, addPage);
  fastify.post('/:app/:entity/add', { config: { name: 'add' }, ...adding }, addObject);
  fastify.get('/:app/:entity/:id', { config: { name: 'change' }, ...object }, changePage);
  fastify.post('/:app/:entity/:id', { config: { name: 'change' }, ...object }, changeObject);
  const removal = { preHandler: [loadModel, canDelete, loadObject] };
  fastify.get('/:app/:entity/:id/delete', { config: { name: 'delete' }, ...removal }, deletePage);
  fastify.post(
    '/:app/:entity/:id/delete',
    { config: { name: 'delete' }, ...removal },
    deleteObject,
  );
}
