import { createError } from '@tessera/core';

/** A tag name is empty, whitespace only, has control characters or quotes, or has no letter or digit. */
export const InvalidTagName = createError<[string, string]>(
  'TESSERA_TAGGING_INVALID_NAME',
  'Tag name %s is not valid: %s',
  422,
);

/** A tag name is longer than the `maxLength` option allows. */
export const TagNameTooLong = createError<[string, number]>(
  'TESSERA_TAGGING_NAME_TOO_LONG',
  'Tag name %s is longer than %d characters.',
  422,
);

/** What was given as the thing to tag is neither an entity instance nor a `{ type, id }` reference. */
export const InvalidEntityRef = createError<[string]>('TESSERA_TAGGING_INVALID_REF', '%s', 400);

/** An argument of the API is not what it takes (names not a list, a negative limit). */
export const InvalidArgument = createError<[string]>('TESSERA_TAGGING_INVALID_ARGUMENT', '%s', 400);

/** An entity class passed as a type is not one of the site's entities (not in any installed app). */
export const UnknownEntityType = createError<[string]>(
  'TESSERA_TAGGING_UNKNOWN_ENTITY',
  "'%s' is not an entity of this site: install the app that declares it, or pass the type as a string.",
  500,
);

/** Two apps registered how to show the same entity type on tag pages. */
export const DuplicateTaggable = createError<[string]>(
  'TESSERA_TAGGING_DUPLICATE_TAGGABLE',
  "Entity type '%s' is registered twice with registerTaggable.",
  500,
);

/** A write was called inside a transaction without its `onCommit`, so the hook could fire too early. */
export const NeedsOnCommit = createError(
  'TESSERA_TAGGING_NEEDS_ON_COMMIT',
  "Tags were changed inside a transaction without its onCommit: use core's transaction(em, (tx, onCommit) => …) and pass { onCommit }, so tagging:tags-changed fires only after that transaction commits.",
  500,
);

/** A type was registered with `registerTaggable` without `visible`: tagging cannot tell what a visitor may see. */
export const MissingVisibility = createError<[string]>(
  'TESSERA_TAGGING_MISSING_VISIBILITY',
  "Entity type '%s' is registered with registerTaggable without a 'visible' function (the ids a visitor may see): pass one, so tag counts and pages leave out what is not public.",
  500,
);

/** A tag was renamed to a name whose slug another tag has: merge them instead. */
export const TagExists = createError<[string]>(
  'TESSERA_TAGGING_TAG_EXISTS',
  'Another tag is already called %s: merge the two instead of renaming.',
  422,
);

/** A tag to rename or merge does not exist. */
export const TagNotFound = createError<[number]>(
  'TESSERA_TAGGING_TAG_NOT_FOUND',
  'No tag has id %d.',
  404,
);
