import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import rateLimit, {
  type FastifyRateLimitStore,
  type FastifyRateLimitStoreCtor,
} from '@fastify/rate-limit';
import type { EntityManager } from '@tessera/core';
import { RateLimited } from './errors.ts';

/** The rate limit a site configures: submissions per window (ms, or a string like '10 minutes'). */
export interface RateLimitSetting {
  max: number;
  timeWindow: number | string;
}

/** Counts one hit for `key`; answers the hits in the window and the milliseconds left in it. */
export async function hit(
  em: EntityManager,
  key: string,
  windowMs: number,
): Promise<{ current: number; ttl: number }> {
  const rows = await em.getConnection().execute<{ hits: number; ttl: number }[]>(
    `insert into contact_form_rate_limit as r (key, hits, reset_at)
     values (?, 1, now() + make_interval(secs => ?))
     on conflict (key) do update set
       hits = case when r.reset_at <= now() then 1 else r.hits + 1 end,
       reset_at = case when r.reset_at <= now() then excluded.reset_at else r.reset_at end
     returning hits, greatest(0, ceil(extract(epoch from (reset_at - now())) * 1000))::int as ttl`,
    [key.slice(0, 100), windowMs / 1000],
  );
  return { current: rows[0]!.hits, ttl: rows[0]!.ttl };
}

/** Forgets windows that have ended; answers how many. */
export async function pruneRateLimits(em: EntityManager): Promise<number> {
  const res = await em
    .getConnection()
    .execute('delete from contact_form_rate_limit where reset_at <= now()', [], 'run');
  return (res as { affectedRows?: number }).affectedRows ?? 0;
}

/** @fastify/rate-limit's store, in PostgreSQL: the limit holds across every process of the site. */
function databaseStore(em: () => EntityManager): FastifyRateLimitStoreCtor {
  return class DatabaseRateLimitStore implements FastifyRateLimitStore {
    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow: number,
    ): void {
      hit(em(), key, timeWindow).then(
        (r) => callback(null, r),
        (err: Error) => callback(err),
      );
    }

    child(): FastifyRateLimitStore {
      return this;
    }
  };
}

/**
 * Registers @fastify/rate-limit in the app's scope (no global limit) and answers the `onRequest`
 * hook for the POST routes: the form and the JSON endpoint share one count per address.
 */
export async function submissionLimit(
  fastify: FastifyInstance,
  setting: RateLimitSetting | false,
): Promise<onRequestHookHandler[]> {
  if (setting === false) return [];
  await fastify.register(rateLimit, {
    global: false,
    store: databaseStore(() => fastify.tessera.orm.em as EntityManager),
    errorResponseBuilder: (_request, context) => new RateLimited(context.after),
  });
  return [fastify.rateLimit(setting) as unknown as onRequestHookHandler];
}
