import { Migration } from '@tessera/core';

export class Migration0001 extends Migration {
  override up(): void {
    this.addSql(
      'create table "tagging_tag" ("id" serial primary key, "name" varchar(100) not null, "slug" varchar(200) not null);',
    );
    this.addSql(
      'alter table "tagging_tag" add constraint "tagging_tag_slug_unique" unique ("slug");',
    );
    this.addSql(
      'create table "tagging_tagged_item" ("id" serial primary key, "tag_id" int not null, "entity_type" varchar(100) not null, "entity_id" int not null, "created_at" timestamptz not null default now());',
    );
    this.addSql(
      'create index "tagging_tagged_item_entity_index" on "tagging_tagged_item" ("entity_type", "entity_id");',
    );
    this.addSql(
      'alter table "tagging_tagged_item" add constraint "tagging_tagged_item_tag_entity_unique" unique ("tag_id", "entity_type", "entity_id");',
    );
    this.addSql(
      'alter table "tagging_tagged_item" add constraint "tagging_tagged_item_tag_id_foreign" foreign key ("tag_id") references "tagging_tag" ("id") on delete cascade;',
    );
  }

  override down(): void {
    this.addSql(
      'alter table "tagging_tagged_item" drop constraint "tagging_tagged_item_tag_id_foreign";',
    );
    this.addSql('drop table if exists "tagging_tag" cascade;');
    this.addSql('drop table if exists "tagging_tagged_item" cascade;');
  }
}
