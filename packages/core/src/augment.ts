import type { EntityManager } from '@mikro-orm/postgresql';
import type { SiteContext } from './site-context.ts';
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
  }
}
