// Writes an app's next migration without a site: `npm run makemigrations -- <app> [label]`.
// Applies core's, the app's dependencies' and the app's own migrations to a scratch database,
// diffs the schema of their entities against it, and writes what differs into the app.
import { type AppFactory, type AppSpec } from '@tessera/core';
import { coreApp, makeMigration } from '@tessera/core/internal';

const [name, label] = process.argv.slice(2);
if (!name) {
  console.error('usage: npm run makemigrations -- <app> [label]');
  process.exit(2);
}

async function load(app: string): Promise<AppSpec> {
  const mod = (await import(`@tessera/${app}`)) as Record<string, unknown>;
  const factory = Object.values(mod).find(
    (v): v is AppFactory =>
      typeof v === 'function' && (v as Partial<AppFactory>).spec?.name === app,
  );
  if (!factory) throw new Error(`@tessera/${app} exports no app named '${app}'.`);
  return factory.spec;
}

const specs = new Map<string, AppSpec>();
async function visit(app: string): Promise<void> {
  if (specs.has(app)) return;
  const spec = await load(app);
  for (const dep of spec.dependsOn ?? []) await visit(dep);
  specs.set(app, spec);
}
await visit(name);
const serverUrl = process.env.TESSERA_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432';
const made = await makeMigration(
  serverUrl,
  [coreApp, ...specs.values()],
  specs.get(name)!,
  label ?? 'initial',
);
console.log(made ? `wrote ${made.file}` : `No changes in ${name}.`);
