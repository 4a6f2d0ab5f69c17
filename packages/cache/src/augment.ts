import type { Cache } from './cache.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The site's cache: `get`/`set`/`delete`/`wrap`, `invalidateTags`, `scope(app)` for an app's
     * versioned keys, and `stats()` for the metrics endpoint. Set by the cache app.
     */
    cache: Cache;
  }
}
