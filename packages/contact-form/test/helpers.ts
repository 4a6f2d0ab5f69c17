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

/**
 * A site with the app as most tests want it: no rate limit, and no periodic retry (a test
 * delivers when it means to), with `options` over that.
 */
export function createContactSite(
  options: Parameters<typeof contactForm>[0] = {},
): Promise<TestSite> {
  return createTestSite({
    apps: [contactForm({ rateLimit: false, retryInterval: 0, ...options })],
    routes: { mounts: DEFAULT_MOUNT },
  });
}

const DATES = ['nextAttemptAt', 'createdAt', 'sentAt'] as const;

/** Every stored message, oldest first. */
export async function storedMessages(t: TestSite): Promise<MessageRow[]> {
  const rows = await t
    .em()
    .getConnection()
    .execute<MessageRow[]>(
      `select id, form_name as "formName", data, ip, user_agent as "userAgent", user_id as "userId",
              state, spam_reason as "spamReason", attempts, next_attempt_at as "nextAttemptAt",
              last_error as "lastError", created_at as "createdAt", sent_at as "sentAt"
       from contact_form_message order by id`,
    );
  // Raw rows carry timestamps as text; read them as dates.
  for (const row of rows) {
    for (const key of DATES) if (row[key] !== null) row[key] = new Date(row[key]);
  }
  return rows;
}

/** Empties the message table and the outbox between tests that count them. */
export async function reset(t: TestSite): Promise<void> {
  await t.em().getConnection().execute('truncate contact_form_message, core_rate_limit');
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
