import { createError } from '@tessera/core';

/** An option the site passed is not what the app expects (checked at boot). */
export const InvalidOption = createError<[string, string, string]>(
  'TESSERA_CONTACT_FORM_INVALID_OPTION',
  "App 'contact-form': option '%s' %s (got %s).",
  500,
);

/** Nobody would receive the messages: neither `recipients` nor `settings.mail.managers` is set. */
export const NoRecipients = createError(
  'TESSERA_CONTACT_FORM_NO_RECIPIENTS',
  "App 'contact-form' has nobody to mail: set its `recipients` option or the site's `mail.managers` (MANAGERS).",
  500,
);

/** One address sent more messages than the rate limit allows. */
export const RateLimited = createError<[string]>(
  'TESSERA_CONTACT_FORM_RATE_LIMITED',
  'Too many messages from your address. Please try again in %s.',
  429,
);
