/**
 * @tessera/contact-form/testing — factories for tests of sites and apps that install the
 * contact form: `const m = await makeMessage(t)`, `await makeMessage(t, { state: 'spam' })`,
 * `await makeMessage.many(t, 3)`. Built on @tessera/testing's `factory()`.
 */
import { factory, type Factory } from '@tessera/testing';
import { ContactMessage, type StoredMessage } from './contact-message.entity.ts';
import { ContactForm } from './forms.ts';

/** What `makeMessage` takes: any stored column of a message but its id. */
export interface MessageOverrides extends Omit<StoredMessage, 'id'> {
  /** When the next delivery may start (null: now). */
  nextAttemptAt: Date | null;
  /** Why the last delivery failed. */
  lastError: string | null;
}

/**
 * A stored message of the default form, `pending` and due now unless told otherwise (so the next
 * delivery run mails it): `sender<n>@example.com` wrote `Message <n>`.
 */
export const makeMessage: Factory<ContactMessage, MessageOverrides> = factory(async (em, o, n) =>
  em.create(ContactMessage, {
    formName: ContactForm.name,
    data: { name: `Sender ${n}`, email: `sender${n}@example.com`, message: `Message ${n}` },
    ip: '127.0.0.1',
    userAgent: null,
    userId: null,
    state: 'pending',
    spamReason: o.state === 'spam' ? 'test' : null,
    attempts: 0,
    nextAttemptAt: null,
    lastError: null,
    ...o,
  }),
);
