import { Migration } from '@tessera/core';
import { emailKey } from '../emails.ts';

const BATCH = 1000;

/**
 * An email's identity moves from PostgreSQL's `lower(email)` (locale-dependent, and not the
 * folding JavaScript does) to `email_key`, computed by `emailKey` for every existing user. Two
 * accounts that the new key makes one cannot be merged by a migration: it stops and names them.
 */
export class Migration0003 extends Migration {
  override async up(): Promise<void> {
    await this.execute('alter table "auth_user" add "email_key" varchar(254) null;');
    const users = (await this.execute('select id, email from auth_user order by id')) as {
      id: number;
      email: string;
    }[];
    const owner = new Map<string, number>();
    const problems: string[] = [];
    const rows = users.map(({ id, email }) => {
      const key = emailKey(email);
      const first = owner.get(key);
      if (first !== undefined) problems.push(`users ${first} and ${id} are both '${key}'`);
      else if (key.length > 254) problems.push(`user ${id}'s email is too long once normalised`);
      owner.set(key, first ?? id);
      return [id, key] as const;
    });
    if (problems.length)
      throw new Error(
        `auth.0003_email_key: ${problems.join('; ')}. Change or remove those accounts' emails, then migrate again.`,
      );
    for (let i = 0; i < rows.length; i += BATCH) {
      const batch = rows.slice(i, i + BATCH);
      await this.execute(
        `update auth_user as u set email_key = v.key
           from (values ${batch.map(() => '(?::int, ?)').join(', ')}) as v(id, key)
          where u.id = v.id`,
        batch.flat(),
      );
    }
    await this.execute('alter table "auth_user" alter column "email_key" set not null;');
    await this.execute('drop index "auth_user_email_ci_unique";');
    await this.execute(
      'alter table "auth_user" add constraint "auth_user_email_key_unique" unique ("email_key");',
    );
  }

  override down(): void {
    this.addSql('alter table "auth_user" drop constraint "auth_user_email_key_unique";');
    this.addSql('alter table "auth_user" drop column "email_key";');
    this.addSql('create unique index "auth_user_email_ci_unique" on "auth_user" (lower("email"));');
  }
}
