import { defineEntity, p } from '@tessera/core';

/**
 * Submissions per address in the current window, kept in PostgreSQL so that every process of
 * the site counts against the same limit (shared nothing).
 */
export const ContactRateLimitSchema = defineEntity({
  name: 'ContactRateLimit',
  tableName: 'contact_form_rate_limit',
  properties: {
    /** The sender's address (the rate limit's key). */
    key: p.string().length(100).primary(),
    hits: p.integer(),
    /** When the window ends and the count starts again. */
    resetAt: p.datetime().index(),
  },
});

/** One address's submissions in the current window. */
export class ContactRateLimit extends ContactRateLimitSchema.class {}
ContactRateLimitSchema.setClass(ContactRateLimit);
