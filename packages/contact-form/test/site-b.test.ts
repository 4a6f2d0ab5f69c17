// Site B: marketing wants a bunch of info, mailed to its own people, and its own thank-you page.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fields } from '@tessera/core';
import { createTestSite, expectCountChange, type TestSite } from '@tessera/testing';
import { ContactForm, ContactMessage, contactForm } from '../src/index.ts';
import { DEFAULT_MESSAGE, DEFAULT_MOUNT, deliver, reset, storedMessages } from './helpers.ts';

declare module '@tessera/core' {
  interface RouteParams {
    /** Site B's own thank-you page, declared so `successRedirect` may name it. */
    'marketing-thanks': Record<string, never>;
  }
}

const MarketingForm = ContactForm.extend({
  name: 'marketing',
  fields: {
    company: fields.text({ label: 'Company' }),
    budget: fields.choice({
      label: 'Budget',
      choices: [
        ['small', 'Under 10k'],
        ['large', '10k and more'],
      ],
    }),
    website: fields.url({ label: 'Website', required: false }),
    newsletter: fields.checkbox({ label: 'Send me the newsletter' }),
  },
});

const LEAD = {
  ...DEFAULT_MESSAGE,
  company: 'Babbage & Co',
  budget: 'large',
  website: 'https://babbage.example',
  newsletter: 'on',
};
const MARKETING = ['marketing@example.com', 'sales@example.com'];

let t: TestSite;

beforeAll(async () => {
  t = await createTestSite({
    apps: [
      contactForm({
        form: MarketingForm,
        recipients: MARKETING,
        successRedirect: 'marketing-thanks',
        subjectTemplate: 'marketing/subject.txt',
        honeypot: 'fax_number',
        maxMessageLength: 200,
        rateLimit: false,
      }),
    ],
    routes: {
      mounts: DEFAULT_MOUNT,
      register(fastify) {
        fastify.get('/thanks', { config: { name: 'marketing-thanks' } }, async () => 'Thanks!');
      },
    },
    settings: {
      siteName: 'Site B',
      templates: new URL('./fixtures/site-b/templates/', import.meta.url),
    },
  });
});
afterAll(() => t.close());
beforeEach(() => reset(t));

describe('an extended form', () => {
  it('renders its extra fields with the app’s own template', async () => {
    const res = await t.client().get('/contact');
    expect(res.statusCode).toBe(200);
    for (const name of ['name', 'email', 'message', 'company', 'website', 'newsletter']) {
      expect(res.body).toContain(`name="${name}"`);
    }
    expect(res.body).toContain('<select name="budget"');
    expect(res.body).toContain('<option value="large"');
    expect(res.body).toContain('name="fax_number"');
    expect(res.body).not.toContain('name="homepage"');
    expect(res.body).toContain('maxlength="200"');
  });

  it('stores every field, mails them to marketing, and redirects to the marketing page', async () => {
    const c = t.client();
    const res = await c.post('/contact', LEAD);
    await deliver(t);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/thanks');
    expect((await c.get('/thanks')).body).toBe('Thanks!');

    const [stored] = await storedMessages(t);
    expect(stored).toMatchObject({
      formName: 'marketing',
      state: 'sent',
      data: {
        ...DEFAULT_MESSAGE,
        company: 'Babbage & Co',
        budget: 'large',
        website: 'https://babbage.example',
        newsletter: true,
      },
    });

    expect(t.outbox).toHaveLength(1);
    const mail = t.outbox[0]!;
    expect(mail.to).toEqual(MARKETING);
    expect(mail.subject).toBe('Lead: Babbage & Co (large) via marketing');
    expect(mail.text).toContain('Company:\nBabbage & Co');
    expect(mail.text).toContain('Budget:\nlarge');
    expect(mail.text).toContain('Website:\nhttps://babbage.example');
    expect(mail.text).toContain('Send me the newsletter:\nyes');
    expect(mail.text).toContain('through the marketing form on Site B');
  });

  it('checks the extra fields like the core ones', async () => {
    const res = await expectCountChange(t.em, ContactMessage, 0, () =>
      t.client().post('/contact', { ...LEAD, company: '', budget: 'infinite' }),
    );
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('id="id_company_errors"');
    expect(res.body).toContain('Select a valid choice');
    await deliver(t);
    expect(t.outbox).toHaveLength(0);
  });

  it('applies the site’s message limit', async () => {
    const res = await expectCountChange(t.em, ContactMessage, 0, () =>
      t.client().post('/contact/api', { ...LEAD, message: 'x'.repeat(201) }, { json: true }),
    );
    expect(res.statusCode).toBe(422);
    expect(res.json().errors.message).toEqual(['Ensure this value has at most 200 characters.']);
  });

  it('describes the extended form to JSON clients', async () => {
    const body = (await t.client().get('/contact/api')).json();
    expect(body.form).toBe('marketing');
    expect(body.honeypot).toBe('fax_number');
    expect(Object.keys(body.schema.properties)).toEqual([
      'name',
      'email',
      'message',
      'company',
      'budget',
      'website',
      'newsletter',
    ]);
    expect(body.schema.properties.message.maxLength).toBe(200);
  });

  it('takes the same fields as JSON', async () => {
    const res = await t
      .client()
      .post('/contact/api', { ...LEAD, newsletter: false }, { json: true });
    expect(res.statusCode).toBe(202);
    const [stored] = await storedMessages(t);
    expect(stored!.data.newsletter).toBe(false);
    await deliver(t);
    expect(t.outbox[0]!.text).toContain('Send me the newsletter:\nno');
  });
});
