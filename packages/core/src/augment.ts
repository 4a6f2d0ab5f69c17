// The plugins core registers on every site add members to Fastify's types (`request.session`,
// `reply.setCookie`, `reply.generateCsrf`). Referencing them here carries those members into core's
// published declarations, so an app built against `dist/` sees them as it does against `src/`.
/// <reference types="@fastify/cookie" preserve="true" />
/// <reference types="@fastify/session" preserve="true" />
/// <reference types="@fastify/csrf-protection" preserve="true" />
import type { FastifyRequest } from 'fastify';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { SiteContext } from './contract.ts';
import type { RedirectTarget } from './urls.ts';

/**
 * "Who is the current user", the meeting point between auth and every other app: the auth app
 * fills `request.user`; apps read it without importing auth.
 */
export interface CurrentUser {
  id: number;
  email: string;
  displayName: string;
  isActive: boolean;
  isStaff: boolean;
  isSuperuser: boolean;
  /** True when the user holds permission `codename` (`'blog.add_entry'`), directly or through a group. */
  hasPermission(codename: string): boolean;
}

/**
 * How a route's responses may be cached (`config: { cache: { ttl: 60, tags: ['blog:list'] } }`),
 * the meeting point between any app's routes and the cache app: without the cache app installed
 * it is ignored.
 */
export interface RouteCachePolicy {
  /** Seconds a stored response stays fresh (default: the cache app's `defaultTtl`). */
  ttl?: number;
  /** Tags to invalidate the response by; a function of the request for tags that depend on params. */
  tags?: string[] | ((request: FastifyRequest) => string[]);
  /** Request headers the response varies on: each combination of their values is stored apart. */
  vary?: string[];
  /** Seconds past `ttl` a stale response may still be served while one request refreshes it. */
  staleWhileRevalidate?: number;
  /** Seconds browsers and shared caches may reuse it without asking (default 0: revalidate by ETag). */
  maxAge?: number;
}

/** A flash message level. */
export type FlashLevel = 'info' | 'success' | 'warning' | 'error';

declare module 'fastify' {
  interface Session {
    /** Flash messages waiting for the next rendered page. */
    _flash?: { level: FlashLevel; message: string }[];
  }
  interface FastifyInstance {
    /** The site this instance serves: settings, ORM, hooks, named routes, templates, mail. */
    tessera: SiteContext;
  }
  interface FastifyRequest {
    /** Who is making this request: set by the auth app when installed; null means anonymous. */
    user: CurrentUser | null;
    /** This request's own EntityManager (a fork of the site's). */
    em: EntityManager;
    /** Queues a message shown on the next page rendered for this visitor. */
    flash(level: FlashLevel, message: string): void;
  }
  interface FastifyReply {
    /** Renders a template with the site's context (user, CSRF token, `url()`, messages) and sends it. */
    render(
      template: string,
      context?: Record<string, unknown>,
      status?: number,
    ): Promise<FastifyReply>;
    /** Redirects (303) to a route name, a site path, or what a function of (request, result) answers. */
    redirectTo<R>(target: RedirectTarget<R>, result?: R): Promise<FastifyReply>;
    /**
     * Tags this response for cache invalidation (`reply.cacheTags('blog:entry:' + slug)`); the
     * cache app reads them with `cacheTagsOf(reply)`. Without the cache app it only records them.
     */
    cacheTags(...tags: string[]): FastifyReply;
  }
  interface FastifyContextConfig {
    /** The route's name within its app (`'entry-detail'` → `blog:entry-detail`). */
    name?: string;
    /** The full route name, set by the kernel. */
    routeName?: string;
    /** `false` only for routes that take a non-cookie credential instead of a CSRF token. */
    csrf?: boolean;
    /** Errors answer as JSON problem bodies. */
    api?: boolean;
    /** Cache this route's responses (`true`: the cache app's defaults), or never (`false`). */
    cache?: RouteCachePolicy | boolean;
    /**
     * Requests the site-wide rate limit lets through uncounted (metrics: the scraper it admits).
     * Everyone else is counted as on any other route.
     */
    rateLimitExempt?: (request: FastifyRequest) => boolean;
  }
}
