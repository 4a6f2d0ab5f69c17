import { defineEntity, p } from '@tessera/core';

/**
 * Counters of failed sign-ins and of requests, shared by every process: one row per scope and
 * key (a keyed hash of an email or an IP address, never the value itself).
 */
export const ThrottleSchema = defineEntity({
  name: 'AuthThrottle',
  tableName: 'auth_throttle',
  properties: {
    scope: p.string().length(32).primary(),
    key: p.string().length(64).primary(),
    hits: p.integer(),
    windowStartedAt: p.datetime().index(),
  },
  primaryKeys: ['scope', 'key'],
});

/** One throttle counter. */
export class AuthThrottle extends ThrottleSchema.class {}
ThrottleSchema.setClass(AuthThrottle);
