// The checks `tessera check` adds to the boot's: what the database says (entities and migrations
// that disagree, naming the app; migrations not applied), templates the site overrides that
// changed upstream, and static files two apps claim.
import { checkError, type CheckMessage } from './checks.ts';
import { staticClaims } from './collectstatic.ts';
import type { SiteContext } from './contract.ts';
import { pendingMigrations, schemaDrift } from './db/migrations.ts';
import { templateDrift } from './template-lock.ts';

/** Every check of a booted site that needs its database or its files. */
export async function siteChecks(site: SiteContext): Promise<CheckMessage[]> {
  return [
    ...(await migrationDrift(site)),
    ...(await pendingChecks(site)),
    ...templateDrift(site),
    ...staticCollisions(site),
  ];
}

/** Which app owns each table, from the ORM's metadata of each app's entities. */
function tableOwners(site: SiteContext): Map<string, string> {
  const owners = new Map<string, string>();
  const metadata = site.orm.getMetadata();
  for (const app of site.apps) {
    for (const entity of app.entities ?? []) {
      const meta = metadata.find(entity as never);
      if (meta?.tableName) owners.set(meta.tableName, app.name);
    }
  }
  return owners;
}

/** The table a DDL statement changes (`alter table "blog_entry" …`, `create index … on "x"`). */
function tableOf(statement: string): string | undefined {
  return /\b(?:table|on)\s+(?:"[^"]+"\.)?"([^"]+)"/i.exec(statement)?.[1];
}

/** E013: the apps whose entities and migrations disagree, each with its missing SQL. */
async function migrationDrift(site: SiteContext): Promise<CheckMessage[]> {
  const drift = await schemaDrift(site.serverUrl, site.apps);
  if (!drift.up) return [];
  const owners = tableOwners(site);
  const byApp = new Map<string, string[]>();
  for (const statement of drift.up
    .split(/;\s*\n/)
    .map((s) => s.trim())
    .filter(Boolean)) {
    const table = tableOf(statement);
    const app = (table && owners.get(table)) ?? 'an unknown app';
    byApp.set(app, [...(byApp.get(app) ?? []), statement.replace(/;$/, '') + ';']);
  }
  return [...byApp].map(([app, sql]) =>
    checkError(
      'tessera.E013',
      `The entities of ${app === 'an unknown app' ? app : `app '${app}'`} and its migrations disagree; the missing SQL:\n\t\t${sql.join('\n\t\t')}`,
      app === 'an unknown app'
        ? 'Run `tessera makemigrations <app>` for the app that owns the table.'
        : `Run \`tessera makemigrations ${app}\`.`,
    ),
  );
}

/** E014: migrations written but not applied to this database. */
async function pendingChecks(site: SiteContext): Promise<CheckMessage[]> {
  const pending = await pendingMigrations(site.orm);
  return pending.length
    ? [
        checkError(
          'tessera.E014',
          `${pending.length} migration(s) are not applied: ${pending.join(', ')}.`,
          'Run `tessera migrate`.',
        ),
      ]
    : [];
}

/** E016: two apps (or the site and an app) ship a static file at the same path. */
function staticCollisions(site: SiteContext): CheckMessage[] {
  return staticClaims(site.apps, site.settings.static).collisions.map((c) =>
    checkError(
      'tessera.E016',
      `Static file '${c.path}' is claimed by both ${c.first} and ${c.second}.`,
      'Rename one of them: collectstatic would refuse, and one would never be served.',
    ),
  );
}
