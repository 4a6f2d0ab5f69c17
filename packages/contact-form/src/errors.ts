import { createError } from '@tessera/core';

/** One address sent more messages than the rate limit allows. */
export const RateLimited = createError<[string]>(
  'TESSERA_CONTACT_FORM_RATE_LIMITED',
  'Too many messages from your address. Please try again in %s.',
  429,
);
