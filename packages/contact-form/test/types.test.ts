// The app's types are part of its API: route names, hook payloads and options check in `tsc`.
import { describe, expectTypeOf, it } from 'vitest';
import type { FastifyRequest } from 'fastify';
import type { HookPayloads, SiteContext, UrlFor } from '@tessera/core';
import { defineForm, fields } from '@tessera/core';
import {
  ContactForm,
  contactForm,
  type ContactResult,
  type ContactSentPayload,
  type ContactValidatePayload,
  type StoredMessage,
} from '../src/index.ts';

describe('types', () => {
  it('names the routes for url()', () => {
    const url = (() => '') as UrlFor;
    expectTypeOf(url('contact-form:form')).toEqualTypeOf<string>();
    expectTypeOf(url('contact-form:sent')).toEqualTypeOf<string>();
    expectTypeOf(url('contact-form:api')).toEqualTypeOf<string>();
    // @ts-expect-error: no such route
    url('contact-form:thanks');
  });

  it('types the hook payloads', () => {
    expectTypeOf<HookPayloads['contact-form:validate']>().toEqualTypeOf<ContactValidatePayload>();
    expectTypeOf<HookPayloads['contact-form:sent']>().toEqualTypeOf<ContactSentPayload>();
    expectTypeOf<ContactValidatePayload['request']>().toEqualTypeOf<FastifyRequest>();
    expectTypeOf<ContactSentPayload['message']>().toEqualTypeOf<StoredMessage>();
    const on = (() => () => {}) as unknown as SiteContext['hooks']['on'];
    on('contact-form:validate', (p) => {
      expectTypeOf(p.data).toEqualTypeOf<Record<string, unknown>>();
      expectTypeOf(p.userId).toEqualTypeOf<number | null>();
    });
  });

  it('takes an extended form and functions as options', () => {
    const Extended = ContactForm.extend({ fields: { company: fields.text({ label: 'Company' }) } });
    contactForm({
      form: Extended,
      successRedirect: (_request, result) => {
        expectTypeOf(result).toEqualTypeOf<ContactResult>();
        return '/';
      },
      recipients: (message) => [String(message.data.email)],
      template: () => 'x.njk',
    });
    // @ts-expect-error: the honeypot is a name or false
    contactForm({ honeypot: true });
  });

  it('refuses what the boot would refuse, before it runs', () => {
    // @ts-expect-error: no app or site declares the route 'contact-form:snet'
    contactForm({ successRedirect: 'contact-form:snet' });
    // @ts-expect-error: a redirect is a route name, a path starting with / or a function
    contactForm({ successRedirect: 'thanks' });
    const RegisterForm = defineForm({
      name: 'register',
      fields: {
        username: fields.text({ label: 'Username' }),
        password: fields.password({ label: 'Password' }),
      },
    });
    // @ts-expect-error: a form of another shape (it lacks name, email and message)
    contactForm({ form: RegisterForm });
    // @ts-expect-error: a form function answering a form of another shape
    contactForm({ form: () => RegisterForm });
    // @ts-expect-error: a misspelled option key
    contactForm({ sucessRedirect: '/thanks' });
    // @ts-expect-error: a template is a name or a function of the request
    contactForm({ template: 3 });
    // @ts-expect-error: recipients are addresses or a function of the message
    contactForm({ recipients: 'desk@example.com' });
    expectTypeOf(
      contactForm({ successRedirect: '/thanks', sentTemplate: 'site/thanks.njk' }),
    ).toBeObject();
  });
});
