// Every customisation point takes a value or a function, and a bad option fails at boot.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyRequest } from 'fastify';
import { defineForm, fields, resolveOptions } from '@tessera/core';
import { createTestSite, type TestSite } from '@tessera/testing';
import {
  ContactForm,
  ContactFormOptions,
  contactForm,
  deliverPending,
  type ContactResult,
  type StoredMessage,
} from '../src/index.ts';
import { checkOptions } from '../src/options.ts';
import { formFor, honeypotFilled } from '../src/forms.ts';
import { DEFAULT_MESSAGE, DEFAULT_MOUNT, reset, storedMessages } from './helpers.ts';

function recipientsFor(message: StoredMessage): string[] {
  const text = String(message.data.message);
  if (text.includes('crash')) throw new Error('no route for this message');
  return text.includes('invoice') ? ['billing@example.com'] : ['support@example.com'];
}

let t: TestSite;

beforeAll(async () => {
  t = await createTestSite({
    apps: [
      contactForm({
        template: (request: FastifyRequest) =>
          (request.query as Record<string, string>).compact
            ? 'compact/form.njk'
            : 'contact-form/form.njk',
        successRedirect: (_request: FastifyRequest, result: ContactResult) =>
          `/contact/sent?ref=${result.id}`,
        recipients: recipientsFor,
        honeypot: false,
        rateLimit: false,
        retryInterval: 0,
      }),
    ],
    routes: { mounts: DEFAULT_MOUNT },
    settings: { templates: new URL('./fixtures/site-d/templates/', import.meta.url) },
  });
});
afterAll(() => t.close());
beforeEach(() => reset(t));

describe('options given as functions', () => {
  it('a template function picks the page per request', async () => {
    const compact = await t.client().get('/contact?compact=1');
    expect(compact.body).toMatch(/^<form method="post" class="compact">/m);
    const full = await t.client().get('/contact');
    expect(full.body).toContain('<h1>Contact us</h1>');
  });

  it('a successRedirect function gets the result', async () => {
    const res = await t.client().post('/contact', DEFAULT_MESSAGE);
    const [stored] = await storedMessages(t);
    expect(res.headers.location).toBe(`/contact/sent?ref=${stored!.id}`);
  });

  it('a recipients function routes each message', async () => {
    await t.client().post('/contact', { ...DEFAULT_MESSAGE, message: 'About my invoice' });
    await t.client().post('/contact', { ...DEFAULT_MESSAGE, message: 'It is broken' });
    expect(t.outbox.map((m) => m.to)).toEqual([['billing@example.com'], ['support@example.com']]);
  });

  it('a recipients function that fails leaves the message pending, not lost', async () => {
    const res = await t.client().post('/contact', { ...DEFAULT_MESSAGE, message: 'crash' });
    expect(res.statusCode).toBe(303);
    const [stored] = await storedMessages(t);
    expect(stored).toMatchObject({ state: 'pending', lastError: 'no route for this message' });
    expect(t.outbox).toHaveLength(0);
    expect(await deliverPending(t.site, { all: true })).toEqual({ sent: 0, failed: 1 });
  });
});

describe('a site’s own templates', () => {
  it('override the app’s by path', async () => {
    const res = await t.client().get('/contact/sent');
    expect(res.body).toContain('Site D got your message.');
  });
});

describe('without a honeypot', () => {
  it('draws none and takes no such field', async () => {
    const page = await t.client().get('/contact');
    expect(page.body).not.toContain('contact-form-honeypot');
    const res = await t.client().post('/contact', { ...DEFAULT_MESSAGE, homepage: 'x' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('Unknown field: homepage');
  });
});

describe('bad options fail at boot', () => {
  it('names the option and what it expected', async () => {
    await expect(
      createTestSite({ apps: [contactForm({ form: 'nope' as never })] }),
    ).rejects.toThrow(
      `App 'contact-form': option 'form' must be a form made with defineForm() or ContactForm.extend() (got "nope").`,
    );
  });

  it('says so when nobody would receive the messages', async () => {
    await expect(
      createTestSite({
        apps: [contactForm()],
        settings: { mail: { transport: 'outbox', from: 'site@example.com', managers: [] } },
      }),
    ).rejects.toMatchObject({ code: 'TESSERA_CONTACT_FORM_NO_RECIPIENTS' });
  });

  const check = (input: Record<string, unknown>) => () =>
    checkOptions(resolveOptions('contact-form', ContactFormOptions, input));
  const NoMessage = defineForm({
    name: 'bare',
    fields: { email: fields.email({ label: 'Email' }) },
  });

  it.each([
    [{ template: 3 }, "option 'template' must be a non-empty string or a function (got 3)"],
    [{ sentTemplate: '' }, "option 'sentTemplate' must be a non-empty string or a function"],
    [
      { successRedirect: null },
      "option 'successRedirect' must be a non-empty string or a function",
    ],
    [{ recipients: ['nobody'] }, "option 'recipients' must be a non-empty list of email addresses"],
    [{ recipients: [] }, "option 'recipients' must be a non-empty list of email addresses"],
    [{ honeypot: 'email' }, "option 'honeypot' must not be the name of one of the form's fields"],
    [{ honeypot: '_csrf' }, "option 'honeypot' must not be a reserved input name"],
    [
      { form: NoMessage, maxMessageLength: 10 },
      "option 'maxMessageLength' needs a form with a 'message' field",
    ],
    [{ form: { name: 'x' } }, "option 'form' must be a form made with defineForm()"],
  ])('%o is refused', (input, message) => {
    expect(check(input)).toThrow(message);
  });

  it.each([
    [{ rateLimit: { max: 0 } }, "option 'rateLimit"],
    [{ honeypot: 'has space' }, "option 'honeypot'"],
    [{ retryInterval: -1 }, "option 'retryInterval'"],
  ])('%o is refused by the schema', (input, message) => {
    expect(check(input)).toThrow(message);
  });

  it('accepts the defaults and functions', () => {
    expect(check({})).not.toThrow();
    expect(check({ recipients: () => [], template: () => 'x.njk', form: NoMessage })).not.toThrow();
  });
});

describe('the form the app parses', () => {
  it('keeps the site’s form, with the message limit applied and the honeypot accepted', async () => {
    const form = formFor({ form: ContactForm, honeypot: 'trap', maxMessageLength: 3 });
    expect(form.name).toBe('contact');
    expect(Object.keys(form.fields)).toEqual(['name', 'email', 'message']);
    expect(form.fields.message!.label).toBe('Your message');
    const r = await form.parse({ ...DEFAULT_MESSAGE, trap: '' });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors).toEqual({ message: ['Ensure this value has at most 3 characters.'] });
  });

  it('tells a filled honeypot from an empty one', () => {
    expect(honeypotFilled({ trap: ' ' }, 'trap')).toBe(false);
    expect(honeypotFilled({ trap: 'x' }, 'trap')).toBe(true);
    expect(honeypotFilled({ trap: ['', ''] }, 'trap')).toBe(false);
    expect(honeypotFilled({ trap: 0 }, 'trap')).toBe(true);
    expect(honeypotFilled({}, 'trap')).toBe(false);
    expect(honeypotFilled({ trap: 'x' }, false)).toBe(false);
    expect(honeypotFilled(null, 'trap')).toBe(false);
  });
});
