import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { collectStatic } from './collectstatic.ts';
import { makeMigration, migrate, pendingMigrations, schemaDrift } from './db/migrations.ts';
import type { SiteSettings } from './contract.ts';
import { createSite } from './create-site.ts';
import { isPrimary, runPrimary } from './cluster.ts';
import { startEmbedded } from './db/embedded.ts';
import { serveClusterMetrics } from './metrics.ts';

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
  if (command === 'serve' && isPrimary()) {
    const at = args.indexOf('--workers');
    const workers = at >= 0 ? Number(args[at + 1]) : Number(process.env.WEB_CONCURRENCY ?? 1);
    if (!Number.isInteger(workers) || workers < 1) {
      out('--workers needs a whole number of processes (1 or more).');
      return 2;
    }
    if (workers > 1) return servePrimary(settings, workers);
  }
  const quiet = {
    ...settings,
    logLevel: command === 'serve' || settings.logLevel === 'silent' ? settings.logLevel : 'warn',
  };
  const app: FastifyInstance = await createSite(quiet, {
    migrate: command === 'serve' && settings.env !== 'production' && isPrimary(),
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

/**
 * The primary of `tessera serve --workers N`: applies migrations (outside production), starts the
 * embedded PostgreSQL once when there is no DATABASE_URL (the workers join it), answers metrics
 * for the whole cluster, and runs N workers on one port, replacing any that crash.
 */
async function servePrimary(settings: SiteSettings, workers: number): Promise<number> {
  const log = {
    info: (m: unknown, ...rest: unknown[]) =>
      console.log(typeof m === 'string' ? m : (rest[0] ?? m)),
    warn: (m: unknown, ...rest: unknown[]) =>
      console.warn(typeof m === 'string' ? m : (rest[0] ?? m)),
    error: (m: unknown, ...rest: unknown[]) =>
      console.error(typeof m === 'string' ? m : (rest[0] ?? m)),
  };
  const embedded = settings.databaseUrl ? undefined : await startEmbedded(settings.embeddedDir);
  if (settings.env !== 'production') {
    const app = await createSite({ ...settings, logLevel: 'warn' }, { migrate: true });
    await app.close();
  }
  serveClusterMetrics();
  log.info(`serving on http://${settings.host}:${settings.port} with ${workers} workers`);
  await runPrimary({ workers, log: log as never });
  await embedded?.stop();
  return 0;
}
