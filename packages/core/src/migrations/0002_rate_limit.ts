import { Migration } from '@mikro-orm/migrations';

/** The counters behind every app's rate limits (`PostgresRateLimitStore`), keys hashed. */
export class Migration0002 extends Migration {
  override up(): void {
    this.addSql(
      'create table "core_rate_limit" ("namespace" varchar(100) not null, "key" varchar(64) not null, "hits" int not null, "expires_at" timestamptz not null, primary key ("namespace", "key"));',
    );
    this.addSql(
      'create index "core_rate_limit_expires_at_index" on "core_rate_limit" ("expires_at");',
    );
  }

  override down(): void {
    this.addSql('drop table if exists "core_rate_limit" cascade;');
  }
}
