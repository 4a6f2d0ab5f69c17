import { createError, type FormErrors } from '@tessera/core';
import type { FastifyError } from 'fastify';

/** Another entry already has this slug (slugs are unique across the blog). */
export const DuplicateSlug = createError<[string]>(
  'TESSERA_BLOG_DUPLICATE_SLUG',
  'An entry with the slug "%s" already exists: choose another slug.',
  422,
);

/** A `blog:entry-saving` listener vetoed the save; nothing was written. */
export const EntryRejected = createError<[string]>(
  'TESSERA_BLOG_ENTRY_REJECTED',
  'The entry was not saved: %s',
  422,
);

/** No entry the current visitor may see has this slug (drafts are 404 to the public). */
export const EntryNotFound = createError<[string]>(
  'TESSERA_BLOG_ENTRY_NOT_FOUND',
  'No entry "%s".',
  404,
);

/** Feeds and the sitemap need an absolute address, and the request's Host header gives none. */
export const BadHost = createError(
  'TESSERA_BLOG_BAD_HOST',
  "The request's Host header is not a valid address (set the blog's siteUrl option to not depend on it).",
  400,
);

/** The markdown of a body is beyond what the blog renders (nesting, emphasis, size): the message names the limit. */
export const MarkdownTooComplex = createError<[string]>(
  'TESSERA_BLOG_MARKDOWN_TOO_COMPLEX',
  '%s',
  422,
);

/** An error that carries form field errors (pages show them beside the fields, JSON in `errors`). */
export type FieldError = FastifyError & { errors: FormErrors };

/** `DuplicateSlug`, with the message on the slug field. */
export function duplicateSlug(slug: string): FieldError {
  const err = new DuplicateSlug(slug);
  return Object.assign(err, { errors: { slug: [err.message] } });
}

/** `MarkdownTooComplex`, with the message on the body field. */
export function markdownTooComplex(message: string): FieldError {
  const err = new MarkdownTooComplex(message);
  return Object.assign(err, { errors: { body: [err.message] } });
}

/** `EntryRejected`, with the reason as an error of the whole form. */
export function entryRejected(reason: string): FieldError {
  const err = new EntryRejected(reason);
  return Object.assign(err, { errors: { __all__: [err.message] } });
}

/** True for the errors a save answers with field errors (re-render the form with them). */
export function isFieldError(err: unknown): err is FieldError {
  return (
    err instanceof Error &&
    typeof (err as Partial<FieldError>).errors === 'object' &&
    (err as Partial<FieldError>).statusCode === 422
  );
}
