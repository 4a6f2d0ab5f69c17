import type { TablesOf } from '@tessera/core';
import type { TagSchema } from './tag.entity.ts';
import type { TaggedItemSchema } from './tagged-item.entity.ts';

/**
 * Tagging's tables as Kysely sees them (`tagging_tag`, `tagging_tagged_item`), typed from its
 * entities: an app that joins its rows with their tags in one query types it with these
 * (`kysely<MyTables & TaggingTables>(em)`), so a renamed column fails `tsc`, not a page.
 */
export type TaggingTables = TablesOf<typeof TagSchema | typeof TaggedItemSchema>;
