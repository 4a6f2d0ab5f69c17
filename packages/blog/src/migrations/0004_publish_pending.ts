import { Migration } from '@tessera/core';

/**
 * Scheduled publishing: a live entry dated in the future waits with `publish_pending` until
 * `blog:publish-due` finds its date come. Entries already waiting start so (their hook fired at
 * save under 0.1, which set `first_published_at` then; it does not fire again).
 */
export class Migration0004 extends Migration {
  override up(): void {
    this.addSql("alter table \"blog_entry\" add \"publish_pending\" boolean not null default false;");
    this.addSql("create index \"blog_entry_publish_pending_index\" on \"blog_entry\" (\"pub_date\") where \"publish_pending\";");
    this.addSql("update \"blog_entry\" set \"publish_pending\" = true where \"status\" = 'live' and \"pub_date\" > now();");
  }

  override down(): void {
    this.addSql("drop index \"blog_entry_publish_pending_index\";");
    this.addSql("alter table \"blog_entry\" drop column \"publish_pending\";");
  }
}
