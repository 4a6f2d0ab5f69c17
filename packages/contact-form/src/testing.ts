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
  /** Why the last delivery failed. */
  lastError: string | null;
}

/**
 * A stored message of the default form, `pending` unless told otherwise, with no delivery job
 * (`queueUndelivered(site)` queues one, as the `contact-form:deliver` command does):
 * `sender<n>@example.com` wrote `Message <n>`.
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
    lastError: null,
    ...o,
  }),
);
