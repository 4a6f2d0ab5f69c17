// Site C: filters automated spam with an Akismet-style listener on contact-form:validate.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { veto } from '@tessera/core';
import { createTestSite, expectCountChange, recordHook, type TestSite } from '@tessera/testing';
import { ContactMessage, contactForm, type ContactValidatePayload } from '../src/index.ts';
import {
  DEFAULT_MESSAGE,
  DEFAULT_MOUNT,
  deliver,
  fakeUsers,
  reset,
  storedMessages,
} from './helpers.ts';

/** What the spam filter saw, for assertions. */
const checked: ContactValidatePayload[] = [];
/** Set by a test to make the filter fail like an unreachable spam service. */
let filterDown = false;

/** The site's spam filter: a verdict on each message, like an Akismet client would give. */
function akismetVerdict(payload: ContactValidatePayload) {
  checked.push(payload);
  if (filterDown) throw new Error('spam service unreachable');
  const text = String(payload.data.message).toLowerCase();
  if (text.includes('cheap pills') || payload.userAgent?.includes('SpamBot')) {
    return veto('akismet: spam');
  }
  // A listener may also tidy the data it lets through.
  return { ...payload, data: { ...payload.data, name: String(payload.data.name).toUpperCase() } };
}

let t: TestSite;

beforeAll(async () => {
  t = await createTestSite({
    apps: [fakeUsers(), contactForm({ rateLimit: false })],
    routes: { mounts: DEFAULT_MOUNT },
    settings: {
      siteName: 'Site C',
      listeners: (hooks) => hooks.on('contact-form:validate', akismetVerdict),
    },
  });
});
afterAll(() => t.close());
beforeEach(async () => {
  await reset(t);
  checked.length = 0;
  filterDown = false;
});

const SPAM = { ...DEFAULT_MESSAGE, message: 'Buy CHEAP PILLS now' };

describe('the spam filter', () => {
  it('sees the message and who sent it', async () => {
    await t.client().post('/contact', DEFAULT_MESSAGE, {
      headers: { 'user-agent': 'Firefox', referer: 'https://c.example/about', 'x-test-user': '7' },
    });
    expect(checked).toHaveLength(1);
    expect(checked[0]).toMatchObject({
      data: DEFAULT_MESSAGE,
      formName: 'contact',
      ip: '127.0.0.1',
      userAgent: 'Firefox',
      userId: 7,
    });
    expect(checked[0]!.request.headers.referer).toBe('https://c.example/about');
  });

  it('a vetoed message is stored as spam and not mailed, and the sender sees the thank-you page', async () => {
    const sent = recordHook(t.site.hooks, 'contact-form:sent');
    const res = await expectCountChange(t.em, ContactMessage, 1, () =>
      t.client().post('/contact', SPAM),
    );
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/contact/sent');
    const [stored] = await storedMessages(t);
    expect(stored).toMatchObject({
      state: 'spam',
      spamReason: 'akismet: spam',
      data: SPAM,
      attempts: 0,
      sentAt: null,
    });
    await deliver(t);
    expect(t.outbox).toHaveLength(0);
    expect(sent).toHaveLength(0);
  });

  it('vetoes through the JSON endpoint with the same answer a real message gets', async () => {
    const res = await t.client().post('/contact/api', DEFAULT_MESSAGE, {
      json: true,
      headers: { 'user-agent': 'SpamBot/2' },
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ status: 'received' });
    const [stored] = await storedMessages(t);
    expect(stored!.state).toBe('spam');
    await deliver(t);
    expect(t.outbox).toHaveLength(0);
  });

  it('a message it lets through is stored and mailed as the listener left it', async () => {
    await t.client().post('/contact', DEFAULT_MESSAGE);
    await deliver(t);
    const [stored] = await storedMessages(t);
    expect(stored).toMatchObject({
      state: 'sent',
      data: { ...DEFAULT_MESSAGE, name: 'ADA LOVELACE' },
    });
    expect(t.outbox).toHaveLength(1);
    expect(t.outbox[0]!.subject).toBe('[Site C] Message from ADA LOVELACE');
  });

  it('a failing filter loses no message: it is stored and mailed unchecked', async () => {
    filterDown = true;
    const res = await t.client().post('/contact', SPAM);
    await deliver(t);
    expect(res.statusCode).toBe(303);
    const [stored] = await storedMessages(t);
    expect(stored).toMatchObject({ state: 'sent', data: SPAM });
    expect(t.outbox).toHaveLength(1);
  });
});

describe('the honeypot', () => {
  it('a filled honeypot is stored as spam without asking the filter, and looks like success', async () => {
    const res = await t
      .client()
      .post('/contact', { ...DEFAULT_MESSAGE, homepage: 'http://spam.example' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/contact/sent');
    const [stored] = await storedMessages(t);
    expect(stored).toMatchObject({ state: 'spam', spamReason: 'honeypot', data: DEFAULT_MESSAGE });
    expect(checked).toHaveLength(0);
    await deliver(t);
    expect(t.outbox).toHaveLength(0);
  });

  it('an empty honeypot is what people send, and passes', async () => {
    const res = await t.client().post('/contact', { ...DEFAULT_MESSAGE, homepage: '' });
    await deliver(t);
    expect(res.statusCode).toBe(303);
    const [stored] = await storedMessages(t);
    expect(stored!.state).toBe('sent');
    expect(t.outbox).toHaveLength(1);
  });

  it('catches JSON clients that fill it too', async () => {
    const res = await t
      .client()
      .post('/contact/api', { ...DEFAULT_MESSAGE, homepage: ['', 'x'] }, { json: true });
    expect(res.statusCode).toBe(202);
    const [stored] = await storedMessages(t);
    expect(stored!.spamReason).toBe('honeypot');
  });
});
