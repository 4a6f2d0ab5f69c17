import { override } from '@tessera/core';
import { Type, type Static } from 'typebox';
import { ContactForm } from './forms.ts';
import type { ContactResult, StoredMessage } from './contact-message.entity.ts';

/** The page that shows the form. */
export const DEFAULT_TEMPLATE = 'contact-form/form.njk';
/** The thank-you page. */
export const DEFAULT_SENT_TEMPLATE = 'contact-form/sent.njk';
/** The mail's subject (plain text, rendered onto one line). */
export const DEFAULT_SUBJECT_TEMPLATE = 'contact-form/subject.txt';
/** The mail's body (plain text). */
export const DEFAULT_BODY_TEMPLATE = 'contact-form/body.txt';
/** Where a sender goes after a submission: the app's own thank-you page. */
export const DEFAULT_SUCCESS_REDIRECT = 'contact-form:sent';
/** The name of the field people cannot see and bots fill in. */
export const DEFAULT_HONEYPOT = 'homepage';
/** Submissions one address may make per window. */
export const DEFAULT_RATE_LIMIT_MAX = 5;
/** The rate limit's window, in milliseconds. */
export const DEFAULT_RATE_LIMIT_WINDOW = 60_000;

/** Addresses, or a function of the stored message answering them (route by department). */
export type RecipientsChoice =
  string[] | ((message: StoredMessage) => string[] | Promise<string[]>);

const HONEYPOT_NAME = '^[A-Za-z_][A-Za-z0-9_-]{0,63}$';
const ADDRESS = /^[^\s@]+@[^\s@]+$/;

/** A non-empty list of addresses, or a function (what `recipients` accepts). */
function isRecipients(value: unknown): boolean {
  return (
    typeof value === 'function' ||
    (Array.isArray(value) &&
      value.length > 0 &&
      value.every((a) => typeof a === 'string' && ADDRESS.test(a)))
  );
}

/**
 * The options `contactForm({...})` takes; every one has a default. What one option's value alone
 * decides is checked here (core reports it as `tessera.E005`); what depends on another option or
 * on the site is the app's own checks (`contact-form.E001`, …, in `checks.ts`).
 */
export const ContactFormOptions = Type.Object({
  /** The form to show, check and store: the default `ContactForm`, or one extended from it. */
  form: override.form(ContactForm),
  /** The form page's template (a name, or a function of the request). */
  template: override.template(DEFAULT_TEMPLATE),
  /** The thank-you page's template (a name, or a function of the request). */
  sentTemplate: override.template(DEFAULT_SENT_TEMPLATE),
  /** Where to go after a submission: a route name, a site path, or `(request, result) => path`. */
  successRedirect: override.redirect<ContactResult>(DEFAULT_SUCCESS_REDIRECT),
  /** Who receives the messages; the site's managers (`settings.mail.managers`) when unset. */
  recipients: Type.Optional(
    Type.Refine(
      Type.Unsafe<RecipientsChoice>({}),
      isRecipients,
      () =>
        "must be a non-empty list of email addresses (['you@example.com']) or a function of the message",
    ),
  ),
  /** The mail subject's template (plain text; line breaks are removed). */
  subjectTemplate: Type.String({ minLength: 1, default: DEFAULT_SUBJECT_TEMPLATE }),
  /** The mail body's template (plain text). */
  bodyTemplate: Type.String({ minLength: 1, default: DEFAULT_BODY_TEMPLATE }),
  /** The honeypot field's name, or `false` for none. A filled honeypot marks the message as spam. */
  honeypot: Type.Union([Type.String({ pattern: HONEYPOT_NAME }), Type.Literal(false)], {
    default: DEFAULT_HONEYPOT,
  }),
  /** Replaces the form's `message` limit (characters); unset, the form's own limit holds. */
  maxMessageLength: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  /** Submissions per address per window on the POST routes, or `false` for no limit. */
  rateLimit: Type.Union(
    [
      Type.Object({
        max: Type.Integer({ minimum: 1, default: DEFAULT_RATE_LIMIT_MAX }),
        timeWindow: Type.Union([Type.Integer({ minimum: 1 }), Type.String({ minLength: 1 })], {
          default: DEFAULT_RATE_LIMIT_WINDOW,
        }),
      }),
      Type.Literal(false),
    ],
    { default: { max: DEFAULT_RATE_LIMIT_MAX, timeWindow: DEFAULT_RATE_LIMIT_WINDOW } },
  ),
});

/** The resolved options. */
export type ContactFormOptions = Static<typeof ContactFormOptions>;
