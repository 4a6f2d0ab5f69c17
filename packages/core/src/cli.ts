// The `tessera` command: finds the site's settings, parses the command's flags (an unknown one is
// refused with the command's usage), boots the site when the command needs it, and runs a
// built-in command or one an installed app adds. `tessera help` lists both.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { BUILTIN_COMMANDS, table, type CliCommand, type CommandContext } from './cli-commands.ts';
import type { AppSpec, SiteSettings } from './contract.ts';
import { createSite } from './create-site.ts';
import { orderApps } from './boot.ts';

/** Loads the site's settings: `--settings <file>`, else `src/settings/index.ts` under the current folder. */
export async function loadSettings(args: string[]): Promise<SiteSettings> {
  const file = settingsFile(args);
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

/** The settings file `--settings <file>` names (taken out of `args`), or the site's default one. */
function settingsFile(args: string[]): string | undefined {
  const at = args.indexOf('--settings');
  if (at >= 0) return args.splice(at, 2)[1];
  return ['src/settings/index.ts', 'src/settings/index.js'].find((f) => existsSync(f));
}

/** An app's command as the CLI runs it. */
function appCommand(app: AppSpec, name: string): CliCommand {
  const command = app.commands![name]!;
  return {
    description: command.description,
    usage: command.usage ?? `tessera ${name}`,
    options: command.options,
    // Without declared options the command reads its own words (and flags) from `args`.
    strict: command.options !== undefined,
    needs: 'site',
    run: (ctx) => command.run(ctx.site!, ctx.args, ctx.flags),
  };
}

/** Runs one `tessera` command; answers the exit code. */
export async function main(
  argv: string[],
  out: (line: string) => void = console.log,
): Promise<number> {
  const args = [...argv];
  const name = args.shift() ?? 'help';
  const explicitSettings = args.includes('--settings');
  const file = settingsFile(args);
  const settings = file ? await loadSettings(['--settings', file]) : undefined;
  const apps = settings ? safeOrder(settings) : [];
  const commands = new Map<string, { command: CliCommand; app?: string }>(
    Object.entries(BUILTIN_COMMANDS).map(([n, command]) => [n, { command }]),
  );
  for (const app of apps)
    for (const n of Object.keys(app.commands ?? {}))
      commands.set(n, { command: appCommand(app, n), app: app.name });

  if (name === 'help' || name === '--help' || name === '-h') {
    const about = args[0] ? commands.get(args[0]) : undefined;
    if (about) {
      out(`usage: ${about.command.usage}\n\n${about.command.description}`);
      return 0;
    }
    out('tessera <command> [--settings <file>]\n');
    out(
      table(
        [...commands].map(([n, { command, app }]) => [
          n,
          app ? `(${app})` : '',
          command.description,
        ]),
      ),
    );
    if (!settings && !explicitSettings)
      out('\nRun it from a site folder (src/settings/index.ts) to see its apps’ commands too.');
    return 0;
  }
  const found = commands.get(name);
  if (!found) {
    out(`Unknown command '${name}'. Commands: ${[...commands.keys()].join(', ')}`);
    return 2;
  }
  const { command } = found;
  let parsed: { positionals: string[]; values: Record<string, string | boolean | undefined> };
  try {
    parsed =
      command.strict === false
        ? { positionals: args, values: {} }
        : (parseArgs({
            args,
            options: (command.options ?? {}) as ParseArgsOptionsConfig,
            allowPositionals: true,
            strict: true,
          }) as typeof parsed);
  } catch (err) {
    out(`${(err as Error).message.split('\n')[0]}\nusage: ${command.usage}`);
    return 2;
  }
  if (command.needs !== 'none' && !settings) {
    out(
      'No settings found: run tessera from a site folder (with src/settings/index.ts) or pass --settings <file>.',
    );
    return 2;
  }
  const ctx: CommandContext = {
    settings,
    settingsFile: file && resolve(file),
    args: parsed.positionals,
    flags: parsed.values,
    out,
    boot: (opts) => createSite(quiet(settings!, name), opts),
  };
  if (command.needs !== 'site') return (await command.run(ctx)) ?? 0;
  const app = await ctx.boot();
  try {
    return (await command.run({ ...ctx, app, site: app.tessera })) ?? 0;
  } finally {
    await app.close();
  }
}

/** The apps in boot order, or none when they do not fit together (the boot says why). */
function safeOrder(settings: SiteSettings): AppSpec[] {
  try {
    return orderApps(settings.apps);
  } catch {
    return [];
  }
}

/** Commands other than `serve` and `worker` log warnings only: their output is the command's own. */
function quiet(settings: SiteSettings, command: string): SiteSettings {
  return command === 'serve' || command === 'worker' || settings.logLevel === 'silent'
    ? settings
    : { ...settings, logLevel: 'warn' };
}
