// Every customisation point takes a value or a function, and a bad option fails at boot.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyRequest } from 'fastify';
import { checkOptions, fields } from '@tessera/core';
import { createTestSite, type TestSite } from '@tessera/testing';
import {
  ContactForm,
  ContactFormOptions,
  contactForm,
  type ContactResult,
  type StoredMessage,
} from '../src/index.ts';
import { formFor, honeypotFilled } from '../src/forms.ts';
import { DEFAULT_MESSAGE, DEFAULT_MOUNT, deliver, reset, storedMessages } from './helpers.ts';

function recipientsFor(message: StoredMessage): string[] {
  const text = String(message.data.message);
  if (text.includes('crash')) throw new Error('no route for this message');
  return text.includes('invoice') ? ['billing@example.com'] : ['support@example.com'];
}

/** The form the site shows when the page is opened with `?topic=1`. */
const WithTopic = ContactForm.extend({
  name: 'with-topic',
  fields: { topic: fields.text({ label: 'Topic' }) },
});

let t: TestSite;

beforeAll(async () => {
  t = await createTestSite({
    apps: [
      contactForm({
        form: (request: FastifyRequest) =>
          (request.query as Record<string, string>).topic ? WithTopic : ContactForm,
        template: (request: FastifyRequest) =>
          (request.query as Record<string, string>).compact
            ? 'compact/form.njk'
            : 'contact-form/form.njk',
        successRedirect: (_request: FastifyRequest, result: ContactResult) =>
          `/contact/sent?ref=${result.id}`,
        recipients: recipientsFor,
        honeypot: false,
        rateLimit: false,
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

  it('a form function picks the form per request', async () => {
    expect((await t.client().get('/contact?topic=1')).body).toContain('name="topic"');
    expect((await t.client().get('/contact')).body).not.toContain('name="topic"');
    expect((await t.client().get('/contact/api?topic=1')).json().form).toBe('with-topic');
    const res = await t.client().post('/contact?topic=1', { ...DEFAULT_MESSAGE, topic: 'Engines' });
    expect(res.statusCode).toBe(303);
    const [stored] = await storedMessages(t);
    expect(stored).toMatchObject({
      formName: 'with-topic',
      data: { ...DEFAULT_MESSAGE, topic: 'Engines' },
    });
    // A job cannot know which form a request chose: the mail labels the base form's fields by
    // their labels and the others by name.
    await deliver(t);
    expect(t.outbox[0]!.text).toContain('Your name:\nAda Lovelace');
    expect(t.outbox[0]!.text).toContain('topic:\nEngines');
    const plain = await t.client().post('/contact', { ...DEFAULT_MESSAGE, topic: 'Engines' });
    expect(plain.statusCode).toBe(422);
  });

  it('a recipients function routes each message', async () => {
    await t.client().post('/contact', { ...DEFAULT_MESSAGE, message: 'About my invoice' });
    await t.client().post('/contact', { ...DEFAULT_MESSAGE, message: 'It is broken' });
    await deliver(t);
    expect(t.outbox.map((m) => m.to)).toEqual([['billing@example.com'], ['support@example.com']]);
  });

  it('a recipients function that fails leaves the message pending, not lost', async () => {
    const res = await t.client().post('/contact', { ...DEFAULT_MESSAGE, message: 'crash' });
    expect(res.statusCode).toBe(303);
    expect(await deliver(t)).toEqual({ completed: 0, failed: 1 });
    const [stored] = await storedMessages(t);
    expect(stored).toMatchObject({ state: 'pending', lastError: 'no route for this message' });
    expect(t.outbox).toHaveLength(0);
    expect(await t.site.jobs.queued('contact-form:deliver')).toMatchObject([
      { state: 'retry', payload: { messageId: stored!.id } },
    ]);
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

describe('options one value decides', () => {
  // What core reports as tessera.E005, from the app's schema; the boot tests show it stops a site.
  const problems = (input: Record<string, unknown>) =>
    checkOptions('contact-form', ContactFormOptions, input).messages.map((m) => m.message);

  it.each([
    [
      { recipients: ['nobody'] },
      `option 'recipients' must be a non-empty list of email addresses (['you@example.com']) or a function of the message (got ["nobody"])`,
    ],
    [{ recipients: [] }, "option 'recipients' must be a non-empty list of email addresses"],
    [{ recipients: 'a@example.com' }, "option 'recipients' must be a non-empty list"],
    [{ honeypot: 'has space' }, "option 'honeypot' must match pattern"],
    [{ rateLimit: { max: 0 } }, "option 'rateLimit.max'"],
    [{ template: 3 }, "option 'template' must be a template name or a function (got number)"],
    [
      { successRedirect: null },
      "option 'successRedirect' must be a route name, a path or a function",
    ],
    [
      { form: { name: 'x' } },
      "option 'form' must be a form made with defineForm() or contact.extend()",
    ],
  ])('%o is refused, naming the option', (input, message) => {
    expect(problems(input).join('\n')).toContain(message);
  });

  it('accepts the defaults, functions, and addresses', () => {
    expect(problems({})).toEqual([]);
    expect(
      problems({
        recipients: () => [],
        template: () => 'x.njk',
        form: () => ContactForm,
        honeypot: false,
      }),
    ).toEqual([]);
    expect(problems({ recipients: ['a@example.com', 'b@example.com'] })).toEqual([]);
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
