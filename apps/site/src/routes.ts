// The site's root routes: where each app is mounted, and the home page.
import { latestEntries } from '@tessera/blog';
import type { SiteRoutes } from '@tessera/core';

declare module '@tessera/core' {
  interface RouteParams {
    /** The home page: a redirect option may name it (`registerSuccessRedirect: 'home'`). */
    home: Record<string, never>;
  }
}

export const routes: SiteRoutes = {
  mounts: {
    auth: '/accounts',
    tagging: '/tags',
    blog: '/blog',
    'contact-form': '/contact',
  },
  register(fastify) {
    fastify.get(
      '/',
      { config: { name: 'home', cache: { ttl: 60, tags: ['blog:list', 'tagging:cloud'] } } },
      async function home(request, reply) {
        const [entries, tags] = await Promise.all([
          latestEntries(fastify.tessera, request.em, 5),
          fastify.tagging.mostCommon(request.em, { limit: 30 }),
        ]);
        return reply.render('home.njk', { entries, tags });
      },
    );
  },
};
