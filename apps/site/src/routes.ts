// The site's root routes: where each app is mounted, and the home page.
import type { SiteRoutes } from '@tessera/core';

export const routes: SiteRoutes = {
  mounts: {},
  register(fastify) {
    fastify.get('/', { config: { name: 'home' } }, async (_request, reply) =>
      reply.render('home.njk'),
    );
  },
};
