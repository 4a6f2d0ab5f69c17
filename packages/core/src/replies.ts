// What handlers answer with: `reply.render` (a template with the site's context), `reply.redirectTo`
// (a route name, a path or a function), `request.flash`, `reply.cacheTags` — and the one place that
// decides whether a response is personal (and so never stored by a shared cache).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { FlashLevel } from './augment.ts';
import type { SiteContext } from './contract.ts';
import { resolveRedirect, type RedirectTarget } from './urls.ts';

const FLASH = '_flash' as const;
const PERSONAL = Symbol('tessera.personal');
const CACHE_TAGS = Symbol('tessera.cacheTags');

type Marked = FastifyReply & { [PERSONAL]?: boolean; [CACHE_TAGS]?: string[] };

/** Notes that this response carries something of one visitor's (a CSRF token, their messages). */
export function markPersonal(reply: FastifyReply): void {
  (reply as Marked)[PERSONAL] = true;
}

/**
 * True when the response belongs to one visitor: a signed-in user, a cookie being set, or a
 * page that embeds their CSRF token or messages. Such a page gets `cache-control: private`, and
 * the cache app never stores it.
 */
export function isPersonal(request: FastifyRequest, reply: FastifyReply): boolean {
  return (
    request.user !== null || reply.hasHeader('set-cookie') || (reply as Marked)[PERSONAL] === true
  );
}

/** The tags a handler gave its response with `reply.cacheTags(...)`, for the cache app. */
export function cacheTagsOf(reply: FastifyReply): readonly string[] {
  return (reply as Marked)[CACHE_TAGS] ?? [];
}

/** The plugin's options: the site, and the context processors apps add in `setup`. */
export interface RepliesOptions {
  site: SiteContext;
  contextProcessors: readonly ((request: FastifyRequest) => Record<string, unknown>)[];
}

async function replies(fastify: FastifyInstance, opts: RepliesOptions): Promise<void> {
  const { site, contextProcessors } = opts;
  const { settings, templates, routes } = site;

  fastify.decorateRequest(
    'flash',
    function flash(this: FastifyRequest, level: FlashLevel, message: string) {
      const queued = this.session.get(FLASH) ?? [];
      this.session.set(FLASH, [...queued, { level, message }]);
    },
  );

  fastify.decorateReply(
    'render',
    async function render(
      this: FastifyReply,
      template: string,
      context: Record<string, unknown> = {},
      status?: number,
    ) {
      const request = this.request;
      const base: Record<string, unknown> = {
        request: { path: request.url.split('?')[0], query: request.query, method: request.method },
        debug: settings.debug,
        user: request.user,
        csrf_token: () => {
          markPersonal(this);
          return this.generateCsrf();
        },
        messages: () => {
          // No session yet when a request is refused before it loads (the rate limit): no messages.
          const queued = (request.session as typeof request.session | undefined)?.get(FLASH);
          if (!queued?.length) return [];
          markPersonal(this);
          request.session.set(FLASH, undefined);
          return queued;
        },
      };
      for (const fn of contextProcessors) Object.assign(base, fn(request));
      const html = await templates.render(template, { ...base, ...context });
      if (settings.debug) this.header('x-tessera-template', template);
      if (status) this.status(status);
      return this.type('text/html; charset=utf-8').send(html);
    },
  );

  fastify.decorateReply('cacheTags', function cacheTags(this: FastifyReply, ...tags: string[]) {
    ((this as Marked)[CACHE_TAGS] ??= []).push(...tags);
    return this;
  });

  fastify.decorateReply('redirectTo', async function redirectTo<
    R,
  >(this: FastifyReply, target: RedirectTarget<R>, result?: R) {
    return this.redirect(await resolveRedirect(routes, target, this.request, result as R), 303);
  });

  // A page carrying a visitor's session, user or CSRF token is theirs alone: no shared cache
  // (a CDN, a proxy) may store it for others — Django's `Vary: Cookie` and `never_cache`.
  fastify.addHook('onSend', function keepPersonalPagesPrivate(request, reply, payload, done) {
    if (isPersonal(request, reply) && !reply.hasHeader('cache-control'))
      reply.header('cache-control', 'private, no-cache');
    done(null, payload);
  });
}

/** The reply helpers as a plugin of the site's context. */
export const repliesPlugin = fp(replies, { name: '@tessera/core:replies' });
