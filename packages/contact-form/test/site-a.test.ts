// Site A: the default form that just collects a message.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createTestSite,
  expectCountChange,
  recordHook,
  TEST_MANAGERS,
  type TestSite,
} from '@tessera/testing';
import { ContactMessage, contactForm } from '../src/index.ts';
import {
  DEFAULT_MESSAGE,
  DEFAULT_MOUNT,
  deliver,
  fakeUsers,
  reset,
  storedMessages,
} from './helpers.ts';

let t: TestSite;

beforeAll(async () => {
  t = await createTestSite({
    apps: [fakeUsers(), contactForm({ rateLimit: false })],
    routes: { mounts: DEFAULT_MOUNT },
    settings: { siteName: 'Site A' },
  });
});
afterAll(() => t.close());
beforeEach(() => reset(t));

describe('the form page', () => {
  it('shows name, email and message fields, a CSRF token and a hidden honeypot', async () => {
    const res = await t.client().get('/contact');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('action="/contact"');
    for (const name of ['name', 'email', 'message', '_csrf']) {
      expect(res.body).toContain(`name="${name}"`);
    }
    // Hidden without an inline style, which the site's CSP refuses.
    expect(res.body).toMatch(/<div class="contact-form-honeypot" hidden>/);
    expect(res.body).not.toContain('style=');
    expect(res.body).toContain('name="homepage"');
    expect(res.body).toContain('maxlength="5000"');
  });

  it('names its routes', () => {
    expect(t.site.url('contact-form:form')).toBe('/contact');
    expect(t.site.url('contact-form:sent')).toBe('/contact/sent');
    expect(t.site.url('contact-form:api')).toBe('/contact/api');
  });
});

describe('a valid submission', () => {
  it('is stored, mailed to the managers by its job, and the sender lands on the thank-you page', async () => {
    const c = t.client();
    const res = await c.post('/contact', DEFAULT_MESSAGE, {
      headers: { 'user-agent': 'TestBrowser/1.0' },
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/contact/sent');
    // Stored with its delivery job; nothing was mailed in the request.
    const [queued] = await storedMessages(t);
    expect(queued).toMatchObject({ state: 'pending', attempts: 0, sentAt: null });
    expect(t.outbox).toHaveLength(0);
    expect(await t.site.jobs.queued('contact-form:deliver')).toMatchObject([
      { payload: { messageId: queued!.id } },
    ]);
    expect(await deliver(t)).toEqual({ completed: 1, failed: 0 });

    const [stored, ...others] = await storedMessages(t);
    expect(others).toHaveLength(0);
    expect(stored).toMatchObject({
      formName: 'contact',
      data: DEFAULT_MESSAGE,
      ip: '127.0.0.1',
      userAgent: 'TestBrowser/1.0',
      userId: null,
      state: 'sent',
      attempts: 1,
      spamReason: null,
      lastError: null,
    });
    expect(stored!.createdAt).toBeInstanceOf(Date);
    expect(stored!.sentAt).toBeInstanceOf(Date);

    expect(t.outbox).toHaveLength(1);
    const mail = t.outbox[0]!;
    expect(mail.to).toEqual(TEST_MANAGERS);
    expect(mail.subject).toBe('[Site A] Message from Ada Lovelace');
    expect(mail.replyTo).toBe('ada@example.com');
    expect(mail.text).toContain('Your name:\nAda Lovelace');
    expect(mail.text).toContain('Your email address:\nada@example.com');
    expect(mail.text).toContain(`Your message:\n${DEFAULT_MESSAGE.message}`);
    expect(mail.text).toContain(`Message #${stored!.id}`);

    const sent = await c.get(res.headers.location as string);
    expect(sent.statusCode).toBe(200);
    expect(sent.body).toContain('Thank you');
  });

  it('keeps the text of the mail as written: no HTML escaping in a plain-text body', async () => {
    await t.client().post('/contact', {
      ...DEFAULT_MESSAGE,
      name: "Tom & Jerry's <Co>",
      message: 'Fish & chips "please" <b>',
    });
    await deliver(t);
    const mail = t.outbox[0]!;
    expect(mail.subject).toBe("[Site A] Message from Tom & Jerry's <Co>");
    expect(mail.text).toContain('Fish & chips "please" <b>');
    expect(mail.text).not.toContain('&amp;');
  });

  it('escapes submitted values when the form is shown again with errors', async () => {
    const res = await t.client().post('/contact', {
      ...DEFAULT_MESSAGE,
      name: '<script>alert(1)</script>',
      email: 'nope',
    });
    expect(res.statusCode).toBe(422);
    expect(res.body).not.toContain('<script>alert(1)</script>');
    expect(res.body).toContain('&lt;script&gt;');
  });

  it('stores the id of a logged-in sender', async () => {
    await t.client().post('/contact', DEFAULT_MESSAGE, { headers: { 'x-test-user': '42' } });
    const [stored] = await storedMessages(t);
    expect(stored!.userId).toBe(42);
  });

  it('announces contact-form:sent once the mail has gone out, from the delivery job', async () => {
    const calls = recordHook(t.site.hooks, 'contact-form:sent');
    await t.client().post('/contact', DEFAULT_MESSAGE);
    expect(calls).toHaveLength(0);
    await deliver(t);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.recipients).toEqual(TEST_MANAGERS);
    expect(calls[0]!.message).toMatchObject({
      state: 'sent',
      data: DEFAULT_MESSAGE,
      formName: 'contact',
    });
  });
});

describe('bad input is refused with field errors, and nothing is stored or mailed', () => {
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ['a missing email', { name: 'A', message: 'hi' }, 'email', /This field is required/],
    ['an invalid email', { ...DEFAULT_MESSAGE, email: 'ada@' }, 'email', /valid email/],
    ['an empty message', { ...DEFAULT_MESSAGE, message: '   ' }, 'message', /required/],
    [
      'a huge message',
      { ...DEFAULT_MESSAGE, message: 'x'.repeat(5001) },
      'message',
      /at most 5000/,
    ],
    [
      'a name with a line break',
      { ...DEFAULT_MESSAGE, name: 'A\r\nBcc: x@evil.test' },
      'name',
      /not allowed/,
    ],
    ['an unknown field', { ...DEFAULT_MESSAGE, admin: '1' }, '__all__', /Unknown field: admin/],
  ];
  for (const [what, body, field, error] of cases) {
    it(`${what}: 422 on the form page`, async () => {
      const res = await expectCountChange(t.em, ContactMessage, 0, () =>
        t.client().post('/contact', body),
      );
      expect(res.statusCode).toBe(422);
      expect(res.body).toMatch(error);
      if (field !== '__all__') expect(res.body).toContain(`id="id_${field}_errors"`);
      await deliver(t);
      expect(t.outbox).toHaveLength(0);
    });

    it(`${what}: 422 problem body from the JSON endpoint`, async () => {
      const res = await expectCountChange(t.em, ContactMessage, 0, () =>
        t.client().post('/contact/api', body, { json: true }),
      );
      expect(res.statusCode).toBe(422);
      expect(res.headers['content-type']).toContain('application/problem+json');
      const problem = res.json();
      expect(problem).toMatchObject({ status: 422, code: 'TESSERA_INVALID_FORM' });
      expect(problem.errors[field].join(' ')).toMatch(error);
      await deliver(t);
      expect(t.outbox).toHaveLength(0);
    });
  }

  it('text that is not UTF-8 in a posted form', async () => {
    const c = t.client();
    const token = await c.csrfToken();
    const res = await expectCountChange(t.em, ContactMessage, 0, () =>
      c.post(
        '/contact',
        `_csrf=${encodeURIComponent(token)}&name=Ada&email=ada%40example.com&message=caf%E9%FF`,
        { csrf: false, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      ),
    );
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('not valid text');
    await deliver(t);
    expect(t.outbox).toHaveLength(0);
  });

  it('bytes that are not UTF-8 in a JSON body', async () => {
    const c = t.client();
    const token = await c.csrfToken();
    const cookie = [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const body = Buffer.concat([
      Buffer.from('{"name":"Ada","email":"ada@example.com","message":"caf'),
      Buffer.from([0xe9, 0xff]),
      Buffer.from('"}'),
    ]);
    const res = await expectCountChange(t.em, ContactMessage, 0, () =>
      t.app.inject({
        method: 'POST',
        url: '/contact/api',
        headers: { 'content-type': 'application/json', 'x-csrf-token': token, cookie },
        payload: body,
      }),
    );
    expect(res.statusCode).toBe(422);
    expect(res.json().errors.message[0]).toMatch(/not valid text/);
  });

  it('a body that is not an object', async () => {
    const res = await t.client().post('/contact/api', '["a"]', {
      json: true,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors.__all__).toBeDefined();
  });

  it('a submission without the CSRF token is forbidden', async () => {
    const form = await expectCountChange(t.em, ContactMessage, 0, () =>
      t.client().post('/contact', DEFAULT_MESSAGE, { csrf: false }),
    );
    expect(form.statusCode).toBe(403);
    const api = await t.client().post('/contact/api', DEFAULT_MESSAGE, { json: true, csrf: false });
    expect(api.statusCode).toBe(403);
    await deliver(t);
    expect(t.outbox).toHaveLength(0);
  });
});

describe('the JSON endpoint', () => {
  it('describes the form for front ends that draw their own', async () => {
    const res = await t.client().get('/contact/api');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.form).toBe('contact');
    expect(body.honeypot).toBe('homepage');
    expect(Object.keys(body.schema.properties)).toEqual(['name', 'email', 'message']);
    expect(body.schema.required).toEqual(['name', 'email', 'message']);
  });

  it('answers a JSON client at the form’s own address the same way', async () => {
    const ok = await t.client().post('/contact', DEFAULT_MESSAGE, { json: true });
    expect(ok.statusCode).toBe(202);
    expect(ok.json()).toEqual({ status: 'received' });
    const bad = await t
      .client()
      .post('/contact', { ...DEFAULT_MESSAGE, email: 'x' }, { json: true });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toMatchObject({
      code: 'TESSERA_INVALID_FORM',
      errors: { email: [expect.any(String)] },
    });
    expect(await storedMessages(t)).toHaveLength(1);
  });

  it('accepts a message with the CSRF header, stores it and mails it', async () => {
    const res = await t.client().post('/contact/api', DEFAULT_MESSAGE, { json: true });
    await deliver(t);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ status: 'received' });
    const [stored] = await storedMessages(t);
    expect(stored).toMatchObject({ state: 'sent', data: DEFAULT_MESSAGE });
    expect(t.outbox).toHaveLength(1);
  });
});
