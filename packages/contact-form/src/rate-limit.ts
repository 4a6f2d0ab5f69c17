import type { FastifyInstance, preValidationHookHandler } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { rateLimitStore, type SiteContext } from '@tessera/core';
import { RateLimited } from './errors.ts';

/** The rate limit a site configures: submissions per window (ms, or a string like '10 minutes'). */
export interface RateLimitSetting {
  max: number;
  timeWindow: number | string;
}

/** The namespace of the submission counts in core's rate-limit table. */
export const RATE_LIMIT_NAMESPACE = 'contact-form:submit';

/**
 * Registers @fastify/rate-limit in the app's scope (no global limit) on core's PostgreSQL store,
 * and answers the `preValidation` hook for the POST routes: the form and the JSON endpoint share
 * one count per address. It runs after core's CSRF check (also `preValidation`, registered on the
 * root before any route), so a forged request is refused without using up the visitor's count.
 */
export async function submissionLimit(
  fastify: FastifyInstance,
  site: SiteContext,
  setting: RateLimitSetting | false,
): Promise<preValidationHookHandler[]> {
  if (setting === false) return [];
  await fastify.register(rateLimit, {
    global: false,
    store: rateLimitStore(site, RATE_LIMIT_NAMESPACE),
    errorResponseBuilder: (_request, context) => new RateLimited(context.after),
  });
  return [fastify.rateLimit(setting) as unknown as preValidationHookHandler];
}
