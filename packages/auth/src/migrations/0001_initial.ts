import { Migration } from '@tessera/core';

export class Migration0001 extends Migration {
  override up(): void {
    this.addSql(
      'create table "auth_throttle" ("scope" varchar(32) not null, "key" varchar(64) not null, "hits" int not null, "window_started_at" timestamptz not null, primary key ("scope", "key"));',
    );
    this.addSql(
      'create index "auth_throttle_window_started_at_index" on "auth_throttle" ("window_started_at");',
    );
    this.addSql(
      'create table "auth_group" ("id" serial primary key, "name" varchar(150) not null);',
    );
    this.addSql(
      'alter table "auth_group" add constraint "auth_group_name_unique" unique ("name");',
    );
    this.addSql(
      'create table "auth_permission" ("id" serial primary key, "codename" varchar(100) not null, "name" varchar(255) not null default \'\');',
    );
    this.addSql(
      'alter table "auth_permission" add constraint "auth_permission_codename_unique" unique ("codename");',
    );
    this.addSql(
      'create table "auth_group_permissions" ("group_id" int not null, "permission_id" int not null, primary key ("group_id", "permission_id"));',
    );
    this.addSql(
      'create table "auth_user" ("id" serial primary key, "email" varchar(254) not null, "display_name" varchar(150) not null default \'\', "password_hash" varchar(255) not null, "is_active" boolean not null default true, "is_staff" boolean not null default false, "is_superuser" boolean not null default false, "last_login" timestamptz null, "date_joined" timestamptz not null);',
    );
    this.addSql('create unique index "auth_user_email_ci_unique" on "auth_user" (lower("email"));');
    this.addSql(
      'create table "auth_user_permissions" ("user_id" int not null, "permission_id" int not null, primary key ("user_id", "permission_id"));',
    );
    this.addSql(
      'create table "auth_user_groups" ("user_id" int not null, "group_id" int not null, primary key ("user_id", "group_id"));',
    );
    this.addSql(
      'alter table "auth_group_permissions" add constraint "auth_group_permissions_group_id_foreign" foreign key ("group_id") references "auth_group" ("id") on update cascade on delete cascade;',
    );
    this.addSql(
      'alter table "auth_group_permissions" add constraint "auth_group_permissions_permission_id_foreign" foreign key ("permission_id") references "auth_permission" ("id") on update cascade on delete cascade;',
    );
    this.addSql(
      'alter table "auth_user_permissions" add constraint "auth_user_permissions_user_id_foreign" foreign key ("user_id") references "auth_user" ("id") on update cascade on delete cascade;',
    );
    this.addSql(
      'alter table "auth_user_permissions" add constraint "auth_user_permissions_permission_id_foreign" foreign key ("permission_id") references "auth_permission" ("id") on update cascade on delete cascade;',
    );
    this.addSql(
      'alter table "auth_user_groups" add constraint "auth_user_groups_user_id_foreign" foreign key ("user_id") references "auth_user" ("id") on update cascade on delete cascade;',
    );
    this.addSql(
      'alter table "auth_user_groups" add constraint "auth_user_groups_group_id_foreign" foreign key ("group_id") references "auth_group" ("id") on update cascade on delete cascade;',
    );
  }

  override down(): void {
    this.addSql(
      'alter table "auth_group_permissions" drop constraint "auth_group_permissions_group_id_foreign";',
    );
    this.addSql(
      'alter table "auth_user_groups" drop constraint "auth_user_groups_group_id_foreign";',
    );
    this.addSql(
      'alter table "auth_group_permissions" drop constraint "auth_group_permissions_permission_id_foreign";',
    );
    this.addSql(
      'alter table "auth_user_permissions" drop constraint "auth_user_permissions_permission_id_foreign";',
    );
    this.addSql(
      'alter table "auth_user_permissions" drop constraint "auth_user_permissions_user_id_foreign";',
    );
    this.addSql(
      'alter table "auth_user_groups" drop constraint "auth_user_groups_user_id_foreign";',
    );
    this.addSql('drop table if exists "auth_throttle" cascade;');
    this.addSql('drop table if exists "auth_group" cascade;');
    this.addSql('drop table if exists "auth_permission" cascade;');
    this.addSql('drop table if exists "auth_group_permissions" cascade;');
    this.addSql('drop table if exists "auth_user" cascade;');
    this.addSql('drop table if exists "auth_user_permissions" cascade;');
    this.addSql('drop table if exists "auth_user_groups" cascade;');
  }
}
