// The app's own system checks: what its options schema cannot decide from one value alone, because
// it depends on another option or on the site. They run at boot and in `tessera check`, beside
// core's, with ids in the app's namespace.
import { RESERVED_INPUTS, checkError, type CheckMessage, type SiteContext } from '@tessera/core';
import { DEFAULT_HONEYPOT, type ContactFormOptions } from './options.ts';

/** The findings for this site's contact form (`contact-form.E001`, …). */
export function contactFormChecks(site: SiteContext, options: ContactFormOptions): CheckMessage[] {
  const found: CheckMessage[] = [];
  const taken = honeypotTaken(options);
  if (taken) {
    found.push(
      checkError(
        'contact-form.E001',
        `App 'contact-form': option 'honeypot' is '${options.honeypot}', ${taken}: every message would fill it in, be kept as spam and never be mailed.`,
        `Name the honeypot after no input of the form (the default is '${DEFAULT_HONEYPOT}'), or set honeypot: false.`,
      ),
    );
  }
  if (options.recipients === undefined && site.settings.mail.managers.length === 0) {
    found.push(
      checkError(
        'contact-form.E002',
        "App 'contact-form' has nobody to mail: neither its option 'recipients' nor the site's mail.managers is set.",
        "Set recipients: ['you@example.com'] (or a function of the message), or the site's mail.managers (MANAGERS).",
      ),
    );
  }
  return found;
}

/** What already takes the honeypot's name, if anything does. */
function honeypotTaken({ honeypot, form }: ContactFormOptions): string | undefined {
  if (honeypot === false) return undefined;
  if (RESERVED_INPUTS.has(honeypot))
    return `an input every form takes (${[...RESERVED_INPUTS].join(', ')})`;
  // A form given as a function is only known per request: its fields cannot be looked at here.
  if (typeof form !== 'function' && honeypot in form.fields)
    return `a field of form '${form.name}'`;
  return undefined;
}
