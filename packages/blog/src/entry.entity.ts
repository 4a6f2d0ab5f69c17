import { defineEntity, p } from '@tessera/core';
import { User } from '@tessera/auth';
import { SLUG_MAX_LENGTH } from './markdown.ts';
import { ENTRY_STATUSES } from './types.ts';

/** The table, and so the type string tagging stores for entries (`blog_entry`). */
export const ENTRY_TABLE = 'blog_entry';

export const EntrySchema = defineEntity({
  name: 'Entry',
  tableName: ENTRY_TABLE,
  properties: {
    id: p.integer().primary(),
    title: p.string().length(200),
    slug: p.string().length(SLUG_MAX_LENGTH).unique(),
    /** The markdown source. */
    body: p.text(),
    /** `body` rendered and sanitised at save time, so pages never render markdown. */
    bodyHtml: p.text(),
    /** Plain text for lists and feeds. */
    excerpt: p.text(),
    status: p.enum([...ENTRY_STATUSES]).default('draft'),
    pubDate: p.datetime(),
    /**
     * When the entry first went live — live, and its publication date come: `blog:entry-published`
     * fires once, when this is set (at save, or by `blog:publish-due` when a future date comes).
     */
    firstPublishedAt: p.datetime().nullable(),
    /**
     * True while a live entry waits for its publication date: `blog:publish-due` clears it when the
     * date comes, invalidating the pages that now list the entry.
     */
    publishPending: p.boolean().default(false),
    /** A deleted user's entries stay, without an author. */
    author: () => p.manyToOne(User).nullable().deleteRule('set null').index(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
  indexes: [
    {
      // What `blog:publish-due` looks for every minute: only the few entries waiting for their date.
      name: 'blog_entry_publish_pending_index',
      expression:
        'create index "blog_entry_publish_pending_index" on "blog_entry" ("pub_date") where "publish_pending"',
    },
    {
      // Every public read filters on status and orders by publication date, newest first (the
      // id breaks ties, and lets a deep page skip its offset within the index alone).
      name: 'blog_entry_status_pub_date_index',
      expression:
        'create index "blog_entry_status_pub_date_index" on "blog_entry" ("status", "pub_date" desc, "id" desc)',
    },
  ],
  // The entry tally's triggers (migration 0003; the truncate one, which MikroORM does not read
  // back, is left out): declared so the schema check knows them.
  triggers: (['insert', 'update', 'delete'] as const).map((event) => ({
    name: `blog_entry_tally_${event}`,
    timing: 'after' as const,
    events: [event],
    forEach: 'statement' as const,
    expression: tallyTrigger(event),
  })),
});

/** The `create trigger` of the entry tally for `event`, as migration 0003 wrote it. */
function tallyTrigger(event: 'insert' | 'update' | 'delete'): string {
  const tables =
    event === 'insert'
      ? 'new table as "added"'
      : event === 'delete'
        ? 'old table as "removed"'
        : 'old table as "removed" new table as "added"';
  return `create trigger "blog_entry_tally_${event}" after ${event} on "${ENTRY_TABLE}" referencing ${tables} for each statement execute function "blog_entry_tally_count"()`;
}

/**
 * A weblog entry. Written through the unit of work (`saveEntry`); pages read plain rows. A site
 * relates its own entities to it (`entry: () => p.manyToOne(Entry)`) without forking the blog.
 */
export class Entry extends EntrySchema.class {}
EntrySchema.setClass(Entry);
