// The built-in `tessera` commands: each with its usage, its flags and what it needs (the settings
// only, or the booted site). Apps add theirs through `commands` in their declaration.
import { resolve } from 'node:path';
import type { ParseArgsOptionsConfig } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { CheckCollector, SystemCheckFailed, formatChecks } from './checks.ts';
import { PROCESS_ROLE, isPrimary, runPrimary } from './cluster.ts';
import { collectStatic } from './collectstatic.ts';
import type { SiteContext, SiteSettings } from './contract.ts';
import type { CreateSiteOptions } from './create-site.ts';
import { startEmbedded } from './db/embedded.ts';
import { makeMigration, migrate } from './db/migrations.ts';
import { diffSettings } from './diffsettings.ts';
import { jobsCommand, workerCommand } from './jobs/commands.ts';
import { jobsRunIn } from './jobs/jobs.ts';
import { serveClusterMetrics } from './metrics.ts';
import { siteChecks } from './site-checks.ts';
import { writeTemplateLock } from './template-lock.ts';

/** What a command runs with. */
export interface CommandContext {
  settings: SiteSettings | undefined;
  /** The settings module the CLI loaded. */
  settingsFile?: string;
  /** The booted site, for commands that need it. */
  app?: FastifyInstance;
  site?: SiteContext;
  /** The words after the command. */
  args: string[];
  /** The parsed flags. */
  flags: Record<string, string | boolean | undefined>;
  out(line: string): void;
  /** Boots the site (commands that boot it themselves, with options). */
  boot(opts?: CreateSiteOptions & { checks?: CheckCollector }): Promise<FastifyInstance>;
}

/** A command of the CLI. */
export interface CliCommand {
  description: string;
  usage: string;
  options?: ParseArgsOptionsConfig;
  /** False: the command parses its own words and flags. */
  strict?: boolean;
  /** What it needs before it runs: nothing, the settings, or the booted site. */
  needs: 'none' | 'settings' | 'site';
  run(ctx: CommandContext): Promise<number | void>;
}

/** A table with aligned columns. */
export function table(rows: string[][]): string {
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

/** The commands every site has. */
export const BUILTIN_COMMANDS: Record<string, CliCommand> = {
  serve: {
    description: 'Run the site (migrates first outside production).',
    usage: 'tessera serve [--workers <n>] [--job-workers <n>]',
    options: { workers: { type: 'string' }, 'job-workers': { type: 'string' } },
    needs: 'settings',
    run: serve,
  },
  migrate: {
    description: "Apply every app's pending migrations in dependency order.",
    usage: 'tessera migrate',
    needs: 'site',
    async run({ site, out }) {
      const applied = await migrate(site!.orm);
      out(
        applied.length ? applied.map((n) => `applied ${n}`).join('\n') : 'No migrations to apply.',
      );
    },
  },
  makemigrations: {
    description: "Write an app's next migration from its entities (--dry-run: print it).",
    usage: 'tessera makemigrations <app> [label] [--dry-run]',
    options: { 'dry-run': { type: 'boolean' } },
    needs: 'site',
    async run({ site, args, flags, out }) {
      const target = site!.apps.find((a) => a.name === args[0]);
      if (!target) {
        out(
          `makemigrations needs an installed app name: ${site!.apps.map((a) => a.name).join(', ')}`,
        );
        return 2;
      }
      const made = await makeMigration(site!.serverUrl, site!.apps, target, args[1], {
        dryRun: flags['dry-run'] === true,
      });
      if (!made) out(`No changes in ${target.name}.`);
      else if (flags['dry-run']) out(`Would write ${made.file}:\n\n${made.source}`);
      else out(`wrote ${made.file}`);
    },
  },
  check: {
    description:
      'Run the system checks: settings, apps, options, overrides, routes, hooks, migrations, templates, static files.',
    usage: 'tessera check',
    needs: 'settings',
    async run({ boot, out }) {
      const checks = new CheckCollector({ collect: true });
      let app: FastifyInstance;
      try {
        app = await boot({ checks });
      } catch (err) {
        if (!(err instanceof SystemCheckFailed)) throw err;
        out(formatChecks(err.messages));
        return 1;
      }
      try {
        checks.add(await siteChecks(app.tessera));
      } finally {
        await app.close();
      }
      if (!checks.messages.length) {
        out(`System check identified no issues (${app.tessera.apps.length} apps).`);
        return 0;
      }
      out(formatChecks(checks.messages));
      return checks.failed ? 1 : 0;
    },
  },
  routes: {
    description: 'List every named route with its methods and path.',
    usage: 'tessera routes',
    needs: 'site',
    async run({ site, out }) {
      out(
        table([
          ['NAME', 'METHODS', 'PATH'],
          ...site!.routes.list().map((r) => [r.name, r.methods.join(','), r.path]),
        ]),
      );
    },
  },
  templates: {
    description:
      'List every template and which file wins (--lock: record the upstream templates the site overrides).',
    usage: 'tessera templates [--lock]',
    options: { lock: { type: 'boolean' } },
    needs: 'site',
    async run({ site, flags, out }) {
      if (flags.lock) {
        const lock = writeTemplateLock(site!);
        out(
          lock
            ? `Locked ${lock.count} overridden template(s) in ${lock.file}.`
            : 'The site overrides no template: nothing to lock.',
        );
        return;
      }
      out(
        table([
          ['TEMPLATE', 'FROM', 'OVERRIDES'],
          ...site!.templates.list().map((t) => [t.name, t.winner, t.overrides.join(', ') || '-']),
        ]),
      );
    },
  },
  hooks: {
    description: 'List every hook and its listeners in order.',
    usage: 'tessera hooks',
    needs: 'site',
    async run({ site, out }) {
      out(
        table([
          ['HOOK', 'APP', 'LISTENERS'],
          ...site!.hooks.list().map((h) => [h.name, h.app ?? '-', h.listeners.join(' → ') || '-']),
        ]),
      );
    },
  },
  collectstatic: {
    description: "Copy every app's and the site's static files into <dir>.",
    usage: 'tessera collectstatic <dir>',
    needs: 'site',
    async run({ site, settings, args, out }) {
      if (!args[0]) {
        out('collectstatic needs a target folder.\nusage: tessera collectstatic <dir>');
        return 2;
      }
      const dir = resolve(args[0]);
      out(`Copied ${collectStatic(site!.apps, settings!.static, dir)} static files to ${dir}.`);
    },
  },
  diffsettings: {
    description:
      "Show the effective settings and every app's options, with where each value came from (secrets masked).",
    usage: 'tessera diffsettings [--all]',
    options: { all: { type: 'boolean' } },
    needs: 'site',
    async run({ site, flags, settingsFile, out }) {
      out(await diffSettings(site!, { all: flags.all === true, settingsFile }));
    },
  },
  worker: {
    description:
      "Run the site's jobs and schedules until SIGTERM (running jobs finish or are handed back).",
    usage: 'tessera worker [--concurrency <n>]',
    options: { concurrency: { type: 'string' } },
    needs: 'settings',
    run: workerCommand,
  },
  jobs: {
    description:
      'List the jobs with their schedules and counts, and the last failures (retry: queue failed jobs again).',
    usage: 'tessera jobs [retry <id|job>]',
    needs: 'site',
    run: jobsCommand,
  },
  help: {
    description: 'This list (help <command>: its usage).',
    usage: 'tessera help [command]',
    needs: 'none',
    async run() {},
  },
};

const SERVE_USAGE = 'usage: tessera serve [--workers <n>] [--job-workers <n>]';

/**
 * `tessera serve`: one process, or a primary with `--workers` web processes on one port and, when
 * jobs run in workers (production), `--job-workers` processes running `tessera worker`.
 */
async function serve(ctx: CommandContext): Promise<number> {
  const { settings, flags, out, boot } = ctx;
  // A job worker the primary forked runs the worker command instead.
  if (!isPrimary() && process.env[PROCESS_ROLE] === 'jobs')
    // Its IPC channel to the primary would keep it alive once the worker has stopped.
    process.exit(await workerCommand(ctx));
  const workers = Number(flags.workers ?? process.env.WEB_CONCURRENCY ?? 1);
  if (!Number.isInteger(workers) || workers < 1) {
    out(`--workers needs a whole number of processes (1 or more).\n${SERVE_USAGE}`);
    return 2;
  }
  const asked = Number(flags['job-workers'] ?? process.env.JOB_WORKERS ?? 1);
  if (!Number.isInteger(asked) || asked < 0) {
    out(`--job-workers needs a whole number of processes (0 or more).\n${SERVE_USAGE}`);
    return 2;
  }
  // Job workers only where jobs run in workers (production); elsewhere the server runs them.
  const jobWorkers = jobsRunIn(settings!) === 'worker' ? asked : 0;
  if ((workers > 1 || jobWorkers > 0) && isPrimary())
    return servePrimary(settings!, workers, jobWorkers, boot);
  const app = await boot({ migrate: settings!.env !== 'production' && isPrimary() });
  await app.listen({ host: settings!.host, port: settings!.port });
  const stop = async (signal: string) => {
    app.log.info(`${signal}: finishing in-flight requests, then stopping`);
    await app.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return new Promise<number>(() => {});
}

/**
 * The primary of `tessera serve --workers N`: applies migrations (outside production), starts the
 * embedded PostgreSQL once when there is no DATABASE_URL (the workers join it), answers metrics
 * for the whole cluster, and runs N web processes on one port and the job workers, replacing any
 * that crash.
 */
async function servePrimary(
  settings: SiteSettings,
  workers: number,
  jobWorkers: number,
  boot: CommandContext['boot'],
): Promise<number> {
  const log = {
    info: (m: unknown) => console.log(m),
    warn: (m: unknown) => console.warn(m),
    error: (m: unknown) => console.error(m),
  };
  const embedded = settings.databaseUrl ? undefined : await startEmbedded(settings.embeddedDir);
  if (settings.env !== 'production') {
    const app = await boot({ migrate: true });
    await app.close();
  }
  serveClusterMetrics();
  log.info(
    `serving on http://${settings.host}:${settings.port} with ${workers} web process(es)` +
      (jobWorkers ? ` and ${jobWorkers} job worker(s)` : ''),
  );
  await runPrimary({ workers, jobWorkers, log });
  await embedded?.stop();
  return 0;
}
