import { Migration } from '@mikro-orm/migrations';

/** Core's own tables: the session store. */
export class Migration0001 extends Migration {
  override up(): void {
    this.addSql(
      'create table "core_session" ("sid" varchar(128) not null, "data" jsonb not null, "expires_at" timestamptz not null, constraint "core_session_pkey" primary key ("sid"));',
    );
    this.addSql('create index "core_session_expires_at_index" on "core_session" ("expires_at");');
  }

  override down(): void {
    this.addSql('drop table if exists "core_session" cascade;');
  }
}
