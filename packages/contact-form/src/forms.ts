import { defineForm, fields, type Form } from '@tessera/core';

/** The longest message the default form accepts (the `maxMessageLength` option changes it). */
export const DEFAULT_MESSAGE_MAX_LENGTH = 5000;
/** The longest name the default form accepts. */
export const DEFAULT_NAME_MAX_LENGTH = 100;

/**
 * The default contact form: a name, an email address and a message. Extend it for more fields
 * (`ContactForm.extend({ name: 'marketing', fields: { company: fields.text({ label: 'Company' }) } })`);
 * the app's template, storage and mail include the new fields without any change.
 */
export const ContactForm = defineForm({
  name: 'contact',
  fields: {
    name: fields.text({ label: 'Your name', maxLength: DEFAULT_NAME_MAX_LENGTH }),
    email: fields.email({ label: 'Your email address' }),
    message: fields.textarea({ label: 'Your message', maxLength: DEFAULT_MESSAGE_MAX_LENGTH }),
  },
});

/**
 * Any form, whatever its fields: a `Form<{ company: ... }>` is not a `Form<FieldsShape>` (its
 * clean steps take narrower data), so the option accepts every field shape.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyForm = Form<any>;

/** What `formFor` needs of the options. */
interface FormOptions {
  form: AnyForm;
  honeypot: string | false;
  maxMessageLength?: number;
}

/**
 * The form the app really parses: the site's form, with `maxMessageLength` applied to its
 * `message` field and the honeypot accepted as an input (it is never stored as data).
 */
export function formFor(options: FormOptions): AnyForm {
  let form = options.form;
  const message = form.fields.message;
  if (options.maxMessageLength !== undefined && message) {
    form = form.extend({
      fields: {
        message: fields.textarea({
          label: message.label,
          help: message.help,
          required: message.required,
          maxLength: options.maxMessageLength,
        }),
      },
    });
  }
  if (options.honeypot !== false) form = form.extend({ accept: [options.honeypot] });
  return form;
}

/** True when the honeypot input came back filled in: people cannot see it, bots fill it. */
export function honeypotFilled(body: unknown, honeypot: string | false): boolean {
  if (honeypot === false || typeof body !== 'object' || body === null) return false;
  const value = (body as Record<string, unknown>)[honeypot];
  if (value === undefined || value === null) return false;
  if (Array.isArray(value)) return value.some((v) => String(v).trim() !== '');
  return String(value).trim() !== '';
}
