import { createError } from '@tessera/core';

/** A bulk action was sent without a known action, or without any object ticked. */
export const BadAction = createError<[string]>('TESSERA_ADMIN_BAD_ACTION', '%s', 400);
