import { defineEntity, p } from '@tessera/core';
import { Tag } from './tag.entity.ts';

/** The longest entity type name (`blog_entry`): the column's size. */
export const ENTITY_TYPE_COLUMN_LENGTH = 100;

export const TaggedItemSchema = defineEntity({
  name: 'TaggedItem',
  tableName: 'tagging_tagged_item',
  properties: {
    id: p.integer().primary(),
    tag: () => p.manyToOne(Tag).deleteRule('cascade'),
    /** Which kind of thing is tagged: the entity's table name (`blog_entry`) by convention. */
    entityType: p.string().length(ENTITY_TYPE_COLUMN_LENGTH),
    /** The tagged row's primary key. */
    entityId: p.integer(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
  // Tag → items (tag pages) is served by the unique index; entity → tags by the second one.
  uniques: [
    {
      properties: ['tag', 'entityType', 'entityId'],
      name: 'tagging_tagged_item_tag_entity_unique',
    },
  ],
  indexes: [{ properties: ['entityType', 'entityId'], name: 'tagging_tagged_item_entity_index' }],
});

/**
 * One tag on one entity of any app: a generic relation (`entity_type`, `entity_id`), so the
 * tagged app's tables know nothing of tags.
 */
export class TaggedItem extends TaggedItemSchema.class {}
TaggedItemSchema.setClass(TaggedItem);
