import { Migration } from '@tessera/core';

export class Migration0001 extends Migration {
  override up(): void {
    this.addSql(
      'create table "blog_entry" ("id" serial primary key, "title" varchar(200) not null, "slug" varchar(200) not null, "body" text not null, "body_html" text not null, "excerpt" text not null, "status" text not null default \'draft\', "pub_date" timestamptz not null, "first_published_at" timestamptz null, "author_id" int null, "created_at" timestamptz not null, "updated_at" timestamptz not null);',
    );
    this.addSql(
      'alter table "blog_entry" add constraint "blog_entry_slug_unique" unique ("slug");',
    );
    this.addSql('create index "blog_entry_author_id_index" on "blog_entry" ("author_id");');
    this.addSql(
      'create index "blog_entry_status_pub_date_index" on "blog_entry" ("status", "pub_date" desc);',
    );
    this.addSql(
      'alter table "blog_entry" add constraint "blog_entry_author_id_foreign" foreign key ("author_id") references "auth_user" ("id") on delete set null;',
    );
    this.addSql(
      'alter table "blog_entry" add constraint "blog_entry_status_check" check ("status" in (\'draft\', \'live\'));',
    );
  }

  override down(): void {
    this.addSql('drop table if exists "blog_entry" cascade;');
  }
}
