// The site's root routes: where each app is mounted, the home page and the favicon.
import { BLOG_CACHE_TAGS, latestEntries } from '@tessera/blog';
import type { SiteRoutes } from '@tessera/core';
import { TAGGING_CACHE_TAGS } from '@tessera/tagging';
import { registerSidebar } from './sidebar.ts';

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
    admin: '/admin',
  },
  register(fastify, site) {
    registerSidebar(fastify, site);
    fastify.get(
      '/',
      // The sidebar lists tags: the page goes stale when they change, as when entries do. The
      // tags are the apps' own names: they invalidate them when their rows change.
      {
        config: {
          name: 'home',
          cache: { ttl: 60, tags: [BLOG_CACHE_TAGS.list, TAGGING_CACHE_TAGS.cloud] },
        },
      },
      async function home(request, reply) {
        const entries = await latestEntries(site, request.em, 5);
        return reply.render('home.njk', { entries });
      },
    );
    // Pages name their icon; this answers clients that ask the conventional address instead.
    fastify.get('/favicon.ico', async function favicon(_request, reply) {
      return reply
        .header('cache-control', 'public, max-age=86400')
        .redirect('/static/favicon.svg', 301);
    });
  },
};
