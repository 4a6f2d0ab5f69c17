import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MigrationObject } from '@mikro-orm/core';
import type { AppSpec } from '../contract.ts';
import { openOrm, type MikroORM } from './orm.ts';
import { dropDatabase, ensureDatabase } from './embedded.ts';

/** Every installed app's migrations in dependency order, each named `<app>.<NNNN_what>`. */
export function collectMigrations(apps: readonly AppSpec[]): MigrationObject[] {
  return apps.flatMap((app) =>
    (app.migrations ?? []).map((m) => ({ name: `${app.name}.${m.name}`, class: m.class })),
  );
}

/** Applies every pending migration; answers the names applied. */
export async function migrate(orm: MikroORM): Promise<string[]> {
  const done = await orm.migrator.up();
  return done.map((m) => m.name);
}

/** Names of migrations not yet applied. */
export async function pendingMigrations(orm: MikroORM): Promise<string[]> {
  return (await orm.migrator.getPending()).map((m) => m.name);
}

/**
 * Applies the migrations of `apps` to a scratch database, then answers the SQL that would bring
 * that schema to the apps' entities. Empty means entities and migrations agree.
 */
export async function schemaDrift(
  serverUrl: string,
  apps: readonly AppSpec[],
): Promise<{ up: string; down: string }> {
  const scratch = `tessera_scratch_${process.pid}_${randomBytes(4).toString('hex')}`;
  await ensureDatabase(serverUrl, scratch);
  let orm: MikroORM | undefined;
  try {
    orm = await openOrm({
      clientUrl: `${serverUrl}/${scratch}`,
      entities: apps.flatMap((a) => a.entities ?? []),
      migrations: collectMigrations(apps),
      poolSize: 2,
    });
    await orm.migrator.up();
    const diff = await orm.schema.getUpdateSchemaMigrationSQL({ wrap: false });
    return { up: diff.up.trim(), down: diff.down.trim() };
  } finally {
    await orm?.close(true);
    await dropDatabase(serverUrl, scratch);
  }
}

/** The apps `app` depends on, transitively, in boot order, ending with `app` itself. */
export function withDependencies(all: readonly AppSpec[], app: AppSpec): AppSpec[] {
  const wanted = new Set<string>();
  const visit = (name: string) => {
    if (wanted.has(name)) return;
    wanted.add(name);
    for (const dep of all.find((a) => a.name === name)?.dependsOn ?? []) visit(dep);
  };
  visit(app.name);
  return all.filter((a) => wanted.has(a.name) || a.name === 'core');
}

/**
 * Writes the next migration of `app` from what its entities add to the schema its own and its
 * dependencies' migrations make, and rewrites the folder's `index.ts`. Answers the file written,
 * or null when nothing changed.
 */
export async function makeMigration(
  serverUrl: string,
  all: readonly AppSpec[],
  app: AppSpec,
  label = 'auto',
  opts: { dryRun?: boolean } = {},
): Promise<{ file: string; source: string } | null> {
  if (!app.migrationsDir) throw new Error(`App '${app.name}' declares no migrationsDir.`);
  const diff = await schemaDrift(serverUrl, withDependencies(all, app));
  if (!diff.up) return null;
  const dir = fileURLToPath(app.migrationsDir);
  const existing = existsSync(dir) ? readdirSync(dir).filter((f) => /^\d{4}_.+\.ts$/.test(f)) : [];
  const next = String(existing.length + 1).padStart(4, '0');
  const slug = label.replace(/[^a-z0-9]+/gi, '_').toLowerCase();
  const file = join(dir, `${next}_${slug}.ts`);
  const source = migrationSource(`Migration${next}`, diff.up, diff.down);
  if (opts.dryRun) return { file, source };
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, source);
  writeIndex(dir, [...existing, `${next}_${slug}.ts`].sort());
  return { file, source };
}

function sqlLines(sql: string): string {
  return sql
    .split(/;\s*\n/)
    .map((s) => s.trim().replace(/;$/, ''))
    .filter(Boolean)
    .map((s) => `    this.addSql(${JSON.stringify(s + ';')});`)
    .join('\n');
}

function migrationSource(className: string, up: string, down: string): string {
  return `import { Migration } from '@tessera/core';

export class ${className} extends Migration {
  override up(): void {
${sqlLines(up)}
  }

  override down(): void {
${sqlLines(down)}
  }
}
`;
}

function writeIndex(dir: string, files: string[]): void {
  const imports = files
    .map((f) => `import { Migration${f.slice(0, 4)} } from './${f}';`)
    .join('\n');
  const list = files
    .map((f) => `  { name: '${f.replace(/\.ts$/, '')}', class: Migration${f.slice(0, 4)} },`)
    .join('\n');
  writeFileSync(
    join(dir, 'index.ts'),
    `// Written by \`tessera makemigrations\`: this app's migrations, in order.\nimport type { MigrationObject } from '@tessera/core';\n${imports}\n\nexport const migrations: MigrationObject[] = [\n${list}\n];\n`,
  );
}
