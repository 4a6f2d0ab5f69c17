import { Migration } from '@tessera/core';

export class Migration0001 extends Migration {
  override up(): void {
    this.addSql(
      'create table "contact_form_message" ("id" serial primary key, "form_name" varchar(100) not null, "data" jsonb not null, "ip" varchar(45) null, "user_agent" varchar(500) null, "user_id" int null, "state" text not null default \'pending\', "spam_reason" varchar(200) null, "attempts" int not null default 0, "next_attempt_at" timestamptz null, "last_error" text null, "created_at" timestamptz not null, "sent_at" timestamptz null);',
    );
    this.addSql(
      'create index "contact_form_message_state_next_attempt_at_index" on "contact_form_message" ("state", "next_attempt_at");',
    );
    this.addSql(
      'create table "contact_form_rate_limit" ("key" varchar(100) not null, "hits" int not null, "reset_at" timestamptz not null, primary key ("key"));',
    );
    this.addSql(
      'create index "contact_form_rate_limit_reset_at_index" on "contact_form_rate_limit" ("reset_at");',
    );
    this.addSql(
      "alter table \"contact_form_message\" add constraint \"contact_form_message_state_check\" check (\"state\" in ('pending', 'sending', 'sent', 'spam'));",
    );
  }

  override down(): void {
    this.addSql('drop table if exists "contact_form_message" cascade;');
    this.addSql('drop table if exists "contact_form_rate_limit" cascade;');
  }
}
