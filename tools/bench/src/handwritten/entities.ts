// The blog's tables as a team would map them for this one page: MikroORM 7 entities
// (defineEntity, no decorators), nothing from Tessera.
import { defineEntity, p } from '@mikro-orm/core';

const AuthorSchema = defineEntity({
  name: 'Author',
  tableName: 'auth_user',
  properties: {
    id: p.integer().primary(),
    email: p.string(),
    displayName: p.string().fieldName('display_name'),
  },
});
export class Author extends AuthorSchema.class {}
AuthorSchema.setClass(Author);

const TagSchema = defineEntity({
  name: 'Tag',
  tableName: 'tagging_tag',
  properties: {
    id: p.integer().primary(),
    name: p.string(),
    slug: p.string(),
  },
});
export class Tag extends TagSchema.class {}
TagSchema.setClass(Tag);

const TaggedItemSchema = defineEntity({
  name: 'TaggedItem',
  tableName: 'tagging_tagged_item',
  properties: {
    id: p.integer().primary(),
    tag: () => p.manyToOne(Tag).fieldName('tag_id'),
    entityType: p.string().fieldName('entity_type'),
    entityId: p.integer().fieldName('entity_id'),
  },
});
export class TaggedItem extends TaggedItemSchema.class {}
TaggedItemSchema.setClass(TaggedItem);

const EntrySchema = defineEntity({
  name: 'Entry',
  tableName: 'blog_entry',
  properties: {
    id: p.integer().primary(),
    title: p.string(),
    slug: p.string(),
    excerpt: p.string(),
    status: p.string(),
    pubDate: p.datetime().fieldName('pub_date'),
    author: () => p.manyToOne(Author).fieldName('author_id').nullable(),
  },
});
export class Entry extends EntrySchema.class {}
EntrySchema.setClass(Entry);
