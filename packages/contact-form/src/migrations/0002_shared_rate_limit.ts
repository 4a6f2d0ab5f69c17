import { Migration } from '@tessera/core';

/** Submission counts moved to core's shared, hashed `core_rate_limit`; live windows start afresh. */
export class Migration0002 extends Migration {
  override up(): void {
    this.addSql('drop table if exists "contact_form_rate_limit" cascade;');
  }

  override down(): void {
    this.addSql(
      'create table "contact_form_rate_limit" ("key" varchar(100) not null, "hits" int4 not null, "reset_at" timestamptz(6) not null, primary key ("key"));',
    );
    this.addSql(
      'create index "contact_form_rate_limit_reset_at_index" on "contact_form_rate_limit" ("reset_at");',
    );
  }
}
