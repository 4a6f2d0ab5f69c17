import { Migration } from '@tessera/core';

export class Migration0001 extends Migration {
  override up(): void {
    this.addSql(
      'create table "admin_log_entry" ("id" serial primary key, "action_time" timestamptz not null, "user_id" int null, "user_email" varchar(254) not null, "app" varchar(100) not null, "entity" varchar(100) not null, "object_id" int not null, "object_repr" varchar(200) not null, "action" text not null, "changed" jsonb not null, "message" varchar(500) not null default \'\');',
    );
    this.addSql('create index "admin_log_entry_time_index" on "admin_log_entry" ("action_time");');
    this.addSql(
      'create index "admin_log_entry_object_index" on "admin_log_entry" ("app", "entity", "object_id");',
    );
    this.addSql(
      "alter table \"admin_log_entry\" add constraint \"admin_log_entry_action_check\" check (\"action\" in ('add', 'change', 'delete', 'action'));",
    );
  }

  override down(): void {
    this.addSql('drop table if exists "admin_log_entry" cascade;');
  }
}
