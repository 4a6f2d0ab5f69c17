import { defineEntity, p } from '@tessera/core';
import { TAG_NAME_COLUMN_LENGTH } from './options.ts';

/** The longest slug a tag can have: the column's size (slugs are cut shorter; see `slugify`). */
export const TAG_SLUG_COLUMN_LENGTH = 200;

export const TagSchema = defineEntity({
  name: 'Tag',
  tableName: 'tagging_tag',
  properties: {
    id: p.integer().primary(),
    /** The name as first typed (`Python`, `multi word`). */
    name: p.string().length(TAG_NAME_COLUMN_LENGTH),
    /** The tag's identity: a name that slugs to an existing tag's slug is that tag. */
    slug: p.string().length(TAG_SLUG_COLUMN_LENGTH).unique(),
  },
});

/** A tag: one row per slug, shared by every entity of every app tagged with it. */
export class Tag extends TagSchema.class {}
TagSchema.setClass(Tag);
