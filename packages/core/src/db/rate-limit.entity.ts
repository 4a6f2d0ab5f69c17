import { defineEntity, p } from '@mikro-orm/core';

/**
 * One rate-limit counter, shared by every process of the site: the hits of one key in one
 * namespace (an app's limit, `auth:login`) until `expiresAt`. The key is an HMAC of the value
 * counted (an address, an email) keyed with the site's secret: the table never holds the value.
 */
export const RateLimitCounterSchema = defineEntity({
  name: 'RateLimitCounter',
  tableName: 'core_rate_limit',
  properties: {
    namespace: p.string().length(100).primary(),
    key: p.string().length(64).primary(),
    hits: p.integer(),
    /** When the window ends and the count starts again; expired rows are pruned. */
    expiresAt: p.datetime().index(),
  },
  primaryKeys: ['namespace', 'key'],
});

/** A rate-limit counter row (see `PostgresRateLimitStore`). */
export class RateLimitCounter extends RateLimitCounterSchema.class {}
RateLimitCounterSchema.setClass(RateLimitCounter);
