import { defineEntity, p } from '@tessera/core';

/** The table of entry counts by status, kept by triggers on `blog_entry` (migration 0003). */
export const ENTRY_TALLY_TABLE = 'blog_entry_tally';

export const EntryTallySchema = defineEntity({
  name: 'EntryTally',
  tableName: ENTRY_TALLY_TABLE,
  properties: {
    status: p.text().primary(),
    entries: p.integer(),
  },
});

/**
 * How many entries have each status. PostgreSQL keeps it (statement triggers on `blog_entry`,
 * in the same transaction as the change), so the public list's page count reads one row
 * instead of counting every live entry. Read only; never written through the ORM.
 */
export class EntryTally extends EntryTallySchema.class {}
EntryTallySchema.setClass(EntryTally);
