import createError, { type FastifyError } from '@fastify/error';
import type { FormErrors } from './forms.ts';

/** A site's settings or an app's options failed validation at boot. */
export const ImproperlyConfigured = createError<[string]>(
  'TESSERA_IMPROPERLY_CONFIGURED',
  '%s',
  500,
);

/** An installed app depends on an app the site did not install. */
export const MissingDependency = createError<[string, string]>(
  'TESSERA_MISSING_DEPENDENCY',
  "App '%s' depends on app '%s', which is not installed: add it to the site's apps.",
  500,
);

/** Two or more apps depend on each other in a cycle. */
export const DependencyCycle = createError<[string]>(
  'TESSERA_DEPENDENCY_CYCLE',
  'Apps depend on each other in a cycle: %s',
  500,
);

/** `url()` was asked for a route name no installed app declares. */
export const NoReverseMatch = createError<[string]>(
  'TESSERA_NO_REVERSE_MATCH',
  "No route is named '%s'. Run `tessera routes` to list the names.",
  500,
);

/** `url()` was missing a parameter the route's path needs. */
export const MissingRouteParam = createError<[string, string]>(
  'TESSERA_MISSING_ROUTE_PARAM',
  "Route '%s' needs the parameter '%s'.",
  500,
);

/** No template with that name exists anywhere on the search path. */
export const TemplateNotFound = createError<[string]>(
  'TESSERA_TEMPLATE_NOT_FOUND',
  "Template '%s' was not found on the template search path. Run `tessera templates` to list them.",
  500,
);

/** Two apps (or the site and an app) ship a static file at the same path. */
export const StaticConflict = createError<[string, string, string]>(
  'TESSERA_STATIC_CONFLICT',
  "Static file '%s' is claimed by both %s and %s.",
  500,
);

/** `site.jobs.enqueue` (or `drain`) named a job no installed app declares. */
export const UnknownJob = createError<[string, string]>(
  'TESSERA_UNKNOWN_JOB',
  "No installed app declares job '%s'.%s Run `tessera jobs` to list them.",
  500,
);

/** An app requires a version of another package that the site does not have. */
export const IncompatibleVersion = createError<[string]>('TESSERA_INCOMPATIBLE_VERSION', '%s', 500);

/**
 * A value in the request's address cannot be used: a number that is not finite (`?page=1e309`),
 * or a NUL character, which PostgreSQL can neither store nor compare.
 */
export const BadParameter = createError<[string]>(
  'TESSERA_BAD_PARAMETER',
  'A value in the address cannot be used: %s.',
  400,
);

/** A client sent more requests than the site-wide limit allows (`settings.rateLimit`). */
export const RateLimited = createError<[string]>('TESSERA_RATE_LIMITED', '%s', 429);

/** An unsafe request came from another site's page (its Origin or, over HTTPS, its Referer). */
export const CrossOriginRequest = createError<[string]>(
  'TESSERA_CSRF_CROSS_ORIGIN',
  'This form was sent from %s, not from a page of this site.',
  403,
);

/** Something the request asked for does not exist. */
export const NotFound = createError<[string?]>('TESSERA_NOT_FOUND', '%s', 404);

/** The current user may not do what the request asked. */
export const Forbidden = createError<[string?]>('TESSERA_FORBIDDEN', '%s', 403);

/** Submitted data did not validate: JSON routes answer 422 with the field errors in the problem body. */
export const InvalidForm = createError<[string]>('TESSERA_INVALID_FORM', '%s', 422);

/**
 * An `InvalidForm` error carrying a form's field errors; the site's error handler adds them to
 * the problem body as `errors`: `if (!r.ok) throw invalidForm(r.errors)`.
 */
export function invalidForm(
  errors: FormErrors,
  message = 'The submitted data is not valid.',
): FastifyError & { errors: FormErrors } {
  return Object.assign(new InvalidForm(message), { errors });
}
