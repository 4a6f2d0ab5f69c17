import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { collectStatic } from './collectstatic.ts';
import { makeMigration, migrate, pendingMigrations, schemaDrift } from './db/migrations.ts';
import type { SiteSettings } from './settings.ts';
import { createSite } from './site.ts';

const BUILTIN: Record<string, string> = {
  serve: 'Run the site (migrates first outside production).',
  migrate: "Apply every app's pending migrations in dependency order.",
  makemigrations: "makemigrations <app> [label]: write the app's next migration from its entities.",
  check: 'Fail when any entities and migrations disagree, or migrations are pending.',
  routes: 'List every named route with its methods and path.',
  templates: 'List every template name and which file wins.',
  hooks: 'List every hook and its listeners in order.',
  collectstatic: "collectstatic <dir>: copy every app's and the site's static files into <dir>.",
  help: 'This list.',
};

/** Loads the site's settings: `--settings <file>`, else `src/settings/index.ts` under the current folder. */
export async function loadSettings(args: string[]): Promise<SiteSettings> {
  const at = args.indexOf('--settings');
  const file =
    at >= 0
      ? args.splice(at, 2)[1]!
      : ['src/settings/index.ts', 'src/settings/index.js'].find((f) => existsSync(f));
  if (!file)
    throw new Error(
      'No settings found: run tessera from a site folder (with src/settings/index.ts) or pass --settings <file>.',
    );
  const mod = (await import(pathToFileURL(resolve(file)).href)) as {
    default?: SiteSettings;
    settings?: SiteSettings;
  };
  const settings = mod.default ?? mod.settings;
  if (!settings) throw new Error(`${file} must export the site's settings as default.`);
  return settings;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Runs one `tessera` command; answers the exit code. */
export async function main(
  argv: string[],
  out: (line: string) => void = console.log,
): Promise<number> {
  const args = [...argv];
  const command = args.shift() ?? 'help';
  const settings = command === 'help' ? undefined : await loadSettings(args);
  if (!settings) {
    out('tessera <command>\n');
    out(table(Object.entries(BUILTIN).map(([k, v]) => [k, v])));
    return 0;
  }
  const quiet = {
    ...settings,
    logLevel: command === 'serve' || settings.logLevel === 'silent' ? settings.logLevel : 'warn',
  };
  const app: FastifyInstance = await createSite(quiet, {
    migrate: command === 'serve' && settings.env !== 'production',
  });
  const site = app.tessera;
  let code = 0;
  try {
    switch (command) {
      case 'serve': {
        await app.listen({ host: settings.host, port: settings.port });
        const stop = async (signal: string) => {
          app.log.info(`${signal}: finishing in-flight requests, then stopping`);
          await app.close();
          process.exit(0);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        return await new Promise<number>(() => {});
      }
      case 'migrate': {
        const applied = await migrate(site.orm);
        out(
          applied.length
            ? applied.map((n) => `applied ${n}`).join('\n')
            : 'No migrations to apply.',
        );
        break;
      }
      case 'makemigrations': {
        const name = args[0];
        const target = site.apps.find((a) => a.name === name);
        if (!target) {
          out(
            `makemigrations needs an installed app name: ${site.apps.map((a) => a.name).join(', ')}`,
          );
          code = 2;
          break;
        }
        const file = await makeMigration(site.serverUrl, site.apps, target, args[1]);
        out(file ? `wrote ${file}` : `No changes in ${name}.`);
        break;
      }
      case 'check': {
        const pending = await pendingMigrations(site.orm);
        const drift = await schemaDrift(site.serverUrl, site.apps);
        if (drift.up) {
          out(
            `Entities and migrations disagree; run tessera makemigrations <app>. The missing SQL:\n${drift.up}`,
          );
          code = 1;
        }
        if (pending.length) {
          // As `tessera help` says: pending migrations fail the check too.
          out(`Pending migrations (run tessera migrate): ${pending.join(', ')}`);
          code = 1;
        }
        if (code === 0) out(`System check identified no issues (${site.apps.length} apps).`);
        break;
      }
      case 'routes':
        out(
          table([
            ['NAME', 'METHODS', 'PATH'],
            ...site.routes.list().map((r) => [r.name, r.methods.join(','), r.path]),
          ]),
        );
        break;
      case 'templates':
        out(
          table([
            ['TEMPLATE', 'FROM', 'OVERRIDES'],
            ...site.templates.list().map((t) => [t.name, t.winner, t.overrides.join(', ') || '-']),
          ]),
        );
        break;
      case 'hooks':
        out(
          table([
            ['HOOK', 'APP', 'LISTENERS'],
            ...site.hooks.list().map((h) => [h.name, h.app ?? '-', h.listeners.join(' → ') || '-']),
          ]),
        );
        break;
      case 'collectstatic': {
        const dir = args[0];
        if (!dir) {
          out('collectstatic needs a target folder.');
          code = 2;
          break;
        }
        out(
          `Copied ${collectStatic(site.apps, settings.static, resolve(dir))} static files to ${resolve(dir)}.`,
        );
        break;
      }
      default: {
        const owner = site.apps.find((a) => a.commands?.[command]);
        if (!owner) {
          const extra = site.apps.flatMap((a) => Object.keys(a.commands ?? {}));
          out(
            `Unknown command '${command}'. Commands: ${[...Object.keys(BUILTIN), ...extra].join(', ')}`,
          );
          code = 2;
          break;
        }
        code = (await owner.commands![command]!.run(site, args)) ?? 0;
      }
    }
  } finally {
    if (command !== 'serve') await app.close();
  }
  return code;
}
