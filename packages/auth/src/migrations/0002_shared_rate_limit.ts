import { Migration } from '@tessera/core';

/** Sign-in and POST counts moved to core's shared `core_rate_limit`; live windows start afresh. */
export class Migration0002 extends Migration {
  override up(): void {
    this.addSql('drop table if exists "auth_throttle" cascade;');
  }

  override down(): void {
    this.addSql(
      'create table "auth_throttle" ("scope" varchar(32) not null, "key" varchar(64) not null, "hits" int4 not null, "window_started_at" timestamptz(6) not null, primary key ("scope", "key"));',
    );
    this.addSql(
      'create index "auth_throttle_window_started_at_index" on "auth_throttle" ("window_started_at");',
    );
  }
}
