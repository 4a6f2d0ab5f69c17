// Per-request set-up for every route Tessera mounts: answers that need no set-up (`site.respondEarly`), the request's own EntityManager and query counter,
// and the refusal of parameter values no route can use.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { RequestContext } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { SiteContext } from './contract.ts';
import { queryStats, type QueryStats } from './db/orm.ts';
import { BadParameter } from './errors.ts';

/** Answers a request before the set-up, or lets it go on (`site.respondEarly`). */
export type EarlyResponder = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

const STATS = Symbol('tessera.queryStats');
type WithStats = FastifyRequest & { [STATS]?: QueryStats };

/** The plugin's options: the site, and the early responders apps add in `setup`. */
export interface RequestScopeOptions {
  site: SiteContext;
  earlyResponders: readonly EarlyResponder[];
}

async function requestScope(fastify: FastifyInstance, opts: RequestScopeOptions): Promise<void> {
  const { site, earlyResponders } = opts;
  const orm = site.orm;
  // Null until the request's scope is set up (an early responder sees null).
  fastify.decorateRequest('em', null as unknown as EntityManager);
  fastify.decorateRequest('user', null);

  if (site.settings.debug) {
    fastify.addHook('onSend', async function serverTiming(request, reply) {
      const stats = (request as WithStats)[STATS];
      if (stats)
        reply.header(
          'server-timing',
          `db;dur=${stats.ms.toFixed(1)};desc="${stats.count} queries"`,
        );
    });
  }
  if (earlyResponders.length) {
    fastify.addHook('onRequest', function earlyResponse(request, reply, done) {
      // An answered request never calls `done`: the rest of the chain does not run (an async
      // onSend may still be finishing, so `reply.sent` is not yet true).
      respondEarly(earlyResponders, request, reply).then((answered) => {
        if (!answered) done();
      }, done);
    });
  }
  fastify.addHook('onRequest', function entityManager(request, _reply, done) {
    const stats: QueryStats = { count: 0, ms: 0 };
    (request as WithStats)[STATS] = stats;
    // The request's EntityManager is the request context's own fork, so `request.em` and
    // anything reaching the ORM through the context share one identity map.
    RequestContext.create(orm.em, () => {
      request.em = RequestContext.getEntityManager() as EntityManager;
      queryStats.run(stats, done);
    });
  });
  // No route may see a value SQL cannot take: Ajv coerces "1e309" to Infinity (and checks
  // `integer` and `maximum` only on finite numbers), and PostgreSQL refuses NUL in text.
  fastify.addHook('preHandler', function refuseUnusableParameters(request, _reply, done) {
    const why = unusable(request.params) ?? unusable(request.query);
    done(why ? new BadParameter(why) : undefined);
  });
}

/** The request scope as a plugin of the site's context. */
export const requestScopePlugin = fp(requestScope, { name: '@tessera/core:request-scope' });

/** Runs the early responders in order until one answers (returns the reply it sent). */
async function respondEarly(
  responders: readonly EarlyResponder[],
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<boolean> {
  for (const fn of responders) {
    if ((await fn(request, reply)) === reply || reply.sent) return true;
  }
  return false;
}

/** Why a params or query object holds a value no route can use, if it does. */
function unusable(values: unknown): string | undefined {
  if (!values || typeof values !== 'object') return undefined;
  for (const v of Object.values(values)) {
    for (const x of Array.isArray(v) ? v : [v]) {
      if (typeof x === 'number' && !Number.isFinite(x)) return 'a number out of range';
      if (typeof x === 'string' && x.includes('\u0000')) return 'a NUL character';
    }
  }
  return undefined;
}
