import { createError } from '@tessera/core';

/** An anonymous visitor asked for a page or endpoint that needs a signed-in user. */
export const LoginRequired = createError<[string?]>('TESSERA_AUTH_LOGIN_REQUIRED', '%s', 401);

/** A signed-in user lacks the staff flag or a permission the route needs. */
export const PermissionDenied = createError<[string?]>('TESSERA_AUTH_PERMISSION_DENIED', '%s', 403);

/** Too many failed sign-ins or requests from one account or address: try again later. */
export const TooManyAttempts = createError<[string]>('TESSERA_AUTH_TOO_MANY_ATTEMPTS', '%s', 429);

/** A guard or service ran on a site that does not install the auth app. */
export const AuthNotInstalled = createError(
  'TESSERA_AUTH_NOT_INSTALLED',
  "The auth app is not installed: add auth() to the site's apps before using its guards.",
  500,
);

/** A permission codename is not `<app>.<action>` or was never declared with `ensurePermissions`. */
export const UnknownPermission = createError<[string]>(
  'TESSERA_AUTH_UNKNOWN_PERMISSION',
  "Permission '%s' is not declared: call ensurePermissions(em, ['<app>.<action>']) first.",
  500,
);

/** A user with this email already exists (emails are unique whatever their case: `emailKey`). */
export const EmailTaken = createError<[string]>(
  'TESSERA_AUTH_EMAIL_TAKEN',
  "A user with the email '%s' already exists.",
  409,
);

/** An email longer than the site can keep once normalised (full-width forms and ligatures grow). */
export const InvalidEmail = createError<[number]>(
  'TESSERA_AUTH_INVALID_EMAIL',
  'The email address is longer than %d characters once normalised.',
  422,
);

/** A permission codename is not of the form `<app>.<action>`. */
export const InvalidCodename = createError<[string]>(
  'TESSERA_AUTH_INVALID_CODENAME',
  "Permission codename '%s' must look like '<app>.<action>' (lower case: 'blog.add_entry').",
  500,
);

/** Signing out is a POST (a form with a button): a link or a prefetch must not sign anyone out. */
export const LogoutNeedsPost = createError(
  'TESSERA_AUTH_LOGOUT_NEEDS_POST',
  'Sign out with a POST request (the form on the page), not a link.',
  405,
);
