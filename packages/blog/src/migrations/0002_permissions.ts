import { Migration } from '@tessera/core';

// The blog's permissions, created with the schema (Django does it after migrate): a site can grant
// them as soon as `tessera migrate` ran, and booting never writes to the database.
export class Migration0002 extends Migration {
  override up(): void {
    this.addSql(
      `insert into "auth_permission" ("codename", "name") values ('blog.add_entry', 'Can add entry'), ('blog.change_entry', 'Can change entry'), ('blog.delete_entry', 'Can delete entry') on conflict ("codename") do nothing;`,
    );
  }

  override down(): void {
    this.addSql(
      `delete from "auth_permission" where "codename" in ('blog.add_entry', 'blog.change_entry', 'blog.delete_entry');`,
    );
  }
}
