import { defineApp, type CurrentUser } from '@tessera/core';
import { createTestSite, type TestSite } from '@tessera/testing';
import { contactForm } from '../src/index.ts';
import type { MessageOverrides } from '../src/testing.ts';

/** A valid submission of the default form. */
export const DEFAULT_MESSAGE = {
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  message: 'I would like to know more about the Analytical Engine.',
} as const;

/** Where the tests mount the app. */
export const DEFAULT_MOUNT = { 'contact-form': '/contact' };

/** A stored message as the tests read it back: every column. */
export interface MessageRow extends MessageOverrides {
  id: number;
}

/** A site with the app as most tests want it: no rate limit, with `options` over that. */
export function createContactSite(
  options: Parameters<typeof contactForm>[0] = {},
): Promise<TestSite> {
  return createTestSite({
    apps: [contactForm({ rateLimit: false, ...options })],
    routes: { mounts: DEFAULT_MOUNT },
  });
}

/**
 * Runs the delivery jobs queued now, as a worker would (a test site runs none by itself); with
 * `deferred`, also those waiting for a retry's delay.
 */
export function deliver(t: TestSite, opts: { deferred?: boolean } = {}) {
  return t.site.jobs.drain({ only: 'contact-form:deliver', ...opts });
}

const DATES = ['createdAt', 'sentAt'] as const;

/** Every stored message, oldest first. */
export async function storedMessages(t: TestSite): Promise<MessageRow[]> {
  const rows = await t
    .em()
    .getConnection()
    .execute<MessageRow[]>(
      `select id, form_name as "formName", data, ip, user_agent as "userAgent", user_id as "userId",
              state, spam_reason as "spamReason", attempts, last_error as "lastError", created_at as "createdAt", sent_at as "sentAt"
       from contact_form_message order by id`,
    );
  // Raw rows carry timestamps as text; read them as dates.
  for (const row of rows) {
    for (const key of DATES) if (row[key] !== null) row[key] = new Date(row[key]);
  }
  return rows;
}

/** Empties the message table, the queued deliveries and the outbox between tests that count them. */
export async function reset(t: TestSite): Promise<void> {
  await t.em().getConnection().execute('truncate contact_form_message, core_rate_limit');
  await t.site.jobs.queued(); // makes pg-boss's tables on first use
  await t
    .em()
    .getConnection()
    .execute("delete from pgboss.job where name = 'contact-form.deliver'");
  t.outbox.length = 0;
  t.site.mail.failWith = null;
}

/**
 * Stands in for the auth app: a request with `x-test-user: <id>` is that user. Contact-form
 * never imports auth; it only reads `request.user`.
 */
export const fakeUsers = defineApp({
  name: 'fake-users',
  setup(fastify) {
    fastify.addHook('onRequest', async function testUser(request) {
      const id = request.headers['x-test-user'];
      if (typeof id !== 'string') return;
      const user: CurrentUser = {
        id: Number(id),
        email: `user${id}@example.com`,
        displayName: `User ${id}`,
        isActive: true,
        isStaff: false,
        isSuperuser: false,
        hasPermission: () => false,
      };
      request.user = user;
    });
  },
});
