import { defineEntity, p } from '@mikro-orm/core';

/** A server-side session (the store behind @fastify/session): any process can serve any request. */
export const SessionSchema = defineEntity({
  name: 'CoreSession',
  tableName: 'core_session',
  properties: {
    sid: p.string().length(128).primary(),
    data: p.json<Record<string, unknown>>(),
    expiresAt: p.datetime().index(),
  },
});

export class CoreSession extends SessionSchema.class {}
SessionSchema.setClass(CoreSession);
