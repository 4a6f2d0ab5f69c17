import { Migration } from '@tessera/core';

// What the public list pages read, kept cheap however many entries there are:
// - `blog_entry_tally`, the number of entries by status, kept by PostgreSQL itself in the same
//   transaction as every change (statement triggers: a bulk insert is one row of work, not one
//   per entry). The list's page count reads it instead of counting every live entry.
// - the status/date index with the id, the list's tie-breaker: the order comes from the index
//   alone, and a deep page skips its offset within the index.
export class Migration0003 extends Migration {
  override up(): void {
    this.addSql(
      'create table "blog_entry_tally" ("status" text not null, "entries" int not null, primary key ("status"));',
    );
    this.addSql(`create function "blog_entry_tally_count"() returns trigger language plpgsql as $$
begin
  -- In status order, so two transactions changing statuses lock tally rows in the same order.
  if tg_op = 'INSERT' then
    insert into "blog_entry_tally" as t ("status", "entries")
    select "status", count(*)::int from "added" group by "status" order by "status"
    on conflict ("status") do update set "entries" = t."entries" + excluded."entries";
  elsif tg_op = 'UPDATE' then
    insert into "blog_entry_tally" as t ("status", "entries")
    select "status", sum("n")::int from (
      select "status", 1 as "n" from "added" union all select "status", -1 from "removed"
    ) d group by "status" having sum("n") <> 0 order by "status"
    on conflict ("status") do update set "entries" = t."entries" + excluded."entries";
  elsif tg_op = 'DELETE' then
    insert into "blog_entry_tally" as t ("status", "entries")
    select "status", -count(*)::int from "removed" group by "status" order by "status"
    on conflict ("status") do update set "entries" = t."entries" + excluded."entries";
  else
    update "blog_entry_tally" set "entries" = 0 where "entries" <> 0;
  end if;
  return null;
end $$;`);
    this.addSql(
      'create trigger "blog_entry_tally_insert" after insert on "blog_entry" referencing new table as "added" for each statement execute function "blog_entry_tally_count"();',
    );
    this.addSql(
      'create trigger "blog_entry_tally_update" after update on "blog_entry" referencing old table as "removed" new table as "added" for each statement execute function "blog_entry_tally_count"();',
    );
    this.addSql(
      'create trigger "blog_entry_tally_delete" after delete on "blog_entry" referencing old table as "removed" for each statement execute function "blog_entry_tally_count"();',
    );
    this.addSql(
      'create trigger "blog_entry_tally_truncate" after truncate on "blog_entry" for each statement execute function "blog_entry_tally_count"();',
    );
    this.addSql(
      'insert into "blog_entry_tally" ("status", "entries") select "status", count(*)::int from "blog_entry" group by "status";',
    );
    this.addSql('drop index "blog_entry_status_pub_date_index";');
    this.addSql(
      'create index "blog_entry_status_pub_date_index" on "blog_entry" ("status", "pub_date" desc, "id" desc);',
    );
  }

  override down(): void {
    this.addSql('drop index "blog_entry_status_pub_date_index";');
    this.addSql(
      'create index "blog_entry_status_pub_date_index" on "blog_entry" ("status", "pub_date" desc);',
    );
    this.addSql('drop trigger if exists "blog_entry_tally_insert" on "blog_entry";');
    this.addSql('drop trigger if exists "blog_entry_tally_update" on "blog_entry";');
    this.addSql('drop trigger if exists "blog_entry_tally_delete" on "blog_entry";');
    this.addSql('drop trigger if exists "blog_entry_tally_truncate" on "blog_entry";');
    this.addSql('drop function if exists "blog_entry_tally_count"();');
    this.addSql('drop table if exists "blog_entry_tally" cascade;');
  }
}
