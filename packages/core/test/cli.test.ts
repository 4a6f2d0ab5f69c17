import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testServerUrl } from '@tessera/testing';
import { dropDatabase, ensureDatabase, freePort, loadSettings, runCli } from '../src/internal.ts';
import { SETTINGS_FILE } from './helpers.ts';

/** Runs one `tessera` command against the fixture settings; answers the code and the output. */
async function tessera(...argv: string[]): Promise<{ code: number; output: string }> {
  const lines: string[] = [];
  const code = await runCli([...argv, '--settings', SETTINGS_FILE], (line) => lines.push(line));
  return { code, output: lines.join('\n') };
}

const database = `tessera_t_cli_${randomBytes(6).toString('hex')}`;
const out = mkdtempSync(join(tmpdir(), 'tessera-cli-'));

beforeAll(async () => {
  await ensureDatabase(testServerUrl(), database);
  // Read by the fixture settings module when `--settings` loads it.
  process.env.TESSERA_CLI_DATABASE_URL = `${testServerUrl()}/${database}`;
  process.env.TESSERA_CLI_PORT = String(await freePort());
});
afterAll(async () => {
  delete process.env.TESSERA_CLI_DATABASE_URL;
  delete process.env.TESSERA_CLI_PORT;
  await dropDatabase(testServerUrl(), database);
  rmSync(out, { recursive: true, force: true });
});

describe('tessera help', () => {
  it('lists the built-in commands without loading any settings', async () => {
    const lines: string[] = [];
    expect(await runCli(['help'], (l) => lines.push(l))).toBe(0);
    const text = lines.join('\n');
    for (const command of [
      'serve',
      'migrate',
      'makemigrations',
      'check',
      'routes',
      'templates',
      'worker',
      'jobs',
    ]) {
      expect(text).toMatch(new RegExp(`^${command}\\s{2,}\\S`, 'm'));
    }
    expect(await runCli([], () => {})).toBe(0);
  });

  it('lists the installed apps’ commands too, with the app that adds each', async () => {
    const { code, output } = await tessera('help');
    expect(code).toBe(0);
    expect(output).toMatch(/^notes:add\s+\(notes\)\s+notes:add <title>: add a note\.$/m);
    expect(output).toMatch(/^diffsettings\s{2,}Show the effective settings/m);
  });

  it('help <command> shows its usage', async () => {
    expect(await tessera('help', 'makemigrations')).toEqual({
      code: 0,
      output:
        "usage: tessera makemigrations <app> [label] [--dry-run]\n\nWrite an app's next migration from its entities (--dry-run: print it).",
    });
  });

  it('refuses a flag the command does not take, with its usage, before doing anything', async () => {
    expect(await tessera('makemigrations', 'notes', 'closed', '--dryrun')).toEqual({
      code: 2,
      output:
        "Unknown option '--dryrun'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"--dryrun\"\nusage: tessera makemigrations <app> [label] [--dry-run]",
    });
    expect((await tessera('routes', '--all')).code).toBe(2);
  });
});

describe('tessera against a fresh database', () => {
  it('check fails while migrations are pending, naming them', async () => {
    const { code, output } = await tessera('check');
    expect(code).toBe(1);
    expect(output).toBe(
      [
        'System check identified 1 issue:',
        '',
        'ERRORS:',
        'tessera.E014: 4 migration(s) are not applied: core.0001_initial, core.0002_rate_limit, notes.0001_initial, pins.0001_initial.',
        '\tHINT: Run `tessera migrate`.',
      ].join('\n'),
    );
  });

  it('migrate applies every app’s migrations in dependency order, then has nothing to do', async () => {
    expect(await tessera('migrate')).toEqual({
      code: 0,
      output:
        'applied core.0001_initial\napplied core.0002_rate_limit\napplied notes.0001_initial\napplied pins.0001_initial',
    });
    expect(await tessera('migrate')).toEqual({ code: 0, output: 'No migrations to apply.' });
  });

  it('check passes once entities, migrations and the database agree', async () => {
    expect(await tessera('check')).toEqual({
      code: 0,
      output: 'System check identified no issues (3 apps).',
    });
  });
});

describe('tessera listings', () => {
  it('routes lists every named route with its methods and path', async () => {
    const { code, output } = await tessera('routes');
    expect(code).toBe(0);
    const lines = output.split('\n');
    expect(lines[0]).toMatch(/^NAME\s+METHODS\s+PATH$/);
    expect(lines).toContainEqual(expect.stringMatching(/^home\s+GET\s+\/$/));
    expect(lines).toContainEqual(expect.stringMatching(/^notes:new\s+GET,POST\s+\/notes\/new$/));
    expect(lines).toContainEqual(expect.stringMatching(/^notes:detail\s+GET\s+\/notes\/:id$/));
    expect(lines).toContainEqual(expect.stringMatching(/^core:csrf-token\s+GET\s+\/csrf-token$/));
  });

  it('templates shows which file wins each name and what it overrides', async () => {
    const { output } = await tessera('templates');
    expect(output.split('\n')[0]).toMatch(/^TEMPLATE\s+FROM\s+OVERRIDES$/);
    expect(output).toMatch(/^notes\/detail\.njk\s+site\s+notes$/m);
    expect(output).toMatch(/^notes\/list\.njk\s+notes\s+-$/m);
    expect(output).toMatch(/^base\.njk\s+core\s+-$/m);
  });

  it('hooks lists each hook with its app and listeners', async () => {
    const { output } = await tessera('hooks');
    expect(output).toMatch(/^HOOK\s+APP\s+LISTENERS$/m);
    expect(output).toMatch(/^notes:before-save\s+notes\s+-$/m);
    expect(output).toMatch(/^notes:saved\s+notes\s+-$/m);
  });
});

describe('tessera diffsettings', () => {
  it('shows what the settings change, and where each value came from', async () => {
    const { code, output } = await tessera('diffsettings');
    expect(code).toBe(0);
    expect(output).toMatch(/^ {2}siteName = 'CLI fixture'\s+settings$/m);
    expect(output).toMatch(/^ {2}notes\.title = 'CLI notes'\s+site \(apps\)$/m);
    expect(output).toMatch(/^ {2}secretKey = '\*{8}'/m);
  });
});

describe('tessera makemigrations', () => {
  it('--dry-run prints what it would write (here: nothing to write)', async () => {
    expect(await tessera('makemigrations', 'notes', '--dry-run')).toEqual({
      code: 0,
      output: 'No changes in notes.',
    });
  });

  it('writes nothing for an app whose migrations match its entities', async () => {
    expect(await tessera('makemigrations', 'notes')).toEqual({
      code: 0,
      output: 'No changes in notes.',
    });
  });

  it('needs the name of an installed app', async () => {
    const { code, output } = await tessera('makemigrations', 'blog');
    expect(code).toBe(2);
    expect(output).toBe('makemigrations needs an installed app name: core, notes, pins');
  });
});

describe('tessera collectstatic', () => {
  it('copies every static file into the folder given', async () => {
    const { code, output } = await tessera('collectstatic', join(out, 'static'));
    expect(code).toBe(0);
    expect(output).toBe(`Copied 2 static files to ${join(out, 'static')}.`);
    expect(readdirSync(join(out, 'static')).sort()).toEqual(['notes', 'site.css']);
  });

  it('needs a target folder', async () => {
    expect(await tessera('collectstatic')).toEqual({
      code: 2,
      output: 'collectstatic needs a target folder.\nusage: tessera collectstatic <dir>',
    });
  });
});

describe('app commands', () => {
  it('runs an app’s command with the booted site and the words after it', async () => {
    expect(await tessera('notes:add', 'From', 'the', 'CLI')).toEqual({ code: 0, output: '' });
    const db = new pg.Client({ connectionString: process.env.TESSERA_CLI_DATABASE_URL });
    await db.connect();
    const { rows } = await db.query('select title, body from notes_note');
    await db.end();
    expect(rows).toEqual([{ title: 'From', body: 'the CLI' }]);
  });

  it('answers an app command’s own exit code', async () => {
    expect((await tessera('notes:add')).code).toBe(2);
  });

  it('an unknown command lists the commands there are', async () => {
    const { code, output } = await tessera('frobnicate');
    expect(code).toBe(2);
    expect(output).toMatch(
      /^Unknown command 'frobnicate'\. Commands: serve, migrate, .*, notes:add$/,
    );
  });
});

describe('loadSettings', () => {
  it('takes --settings out of the arguments', async () => {
    const args = ['routes', '--settings', SETTINGS_FILE, 'extra'];
    const settings = await loadSettings(args);
    expect(settings.siteName).toBe('CLI fixture');
    expect(args).toEqual(['routes', 'extra']);
  });

  it('without --settings, needs src/settings/index.ts in the current folder', async () => {
    const cwd = process.cwd();
    process.chdir(out);
    try {
      await expect(loadSettings([])).rejects.toThrow(
        'No settings found: run tessera from a site folder (with src/settings/index.ts) or pass --settings <file>.',
      );
    } finally {
      process.chdir(cwd);
    }
  });

  it('a settings module must export the settings', async () => {
    const helpers = new URL('./helpers.ts', import.meta.url).pathname;
    await expect(loadSettings(['--settings', helpers])).rejects.toThrow(
      `${helpers} must export the site's settings as default.`,
    );
  });
});

describe('tessera serve', () => {
  it('refuses a number of web or job processes it cannot run, with its usage', async () => {
    expect(await tessera('serve', '--workers', '0')).toEqual({
      code: 2,
      output:
        '--workers needs a whole number of processes (1 or more).\nusage: tessera serve [--workers <n>] [--job-workers <n>]',
    });
    expect(await tessera('serve', '--job-workers=some')).toEqual({
      code: 2,
      output:
        '--job-workers needs a whole number of processes (0 or more).\nusage: tessera serve [--workers <n>] [--job-workers <n>]',
    });
  });

  it('listens on the settings’ port and stops cleanly on SIGTERM', async () => {
    const base = `http://127.0.0.1:${process.env.TESSERA_CLI_PORT}`;
    const exited = new Promise<number | undefined>((resolve) => {
      vi.spyOn(process, 'exit').mockImplementation(((code?: number) => resolve(code)) as never);
    });
    const before = new Set(process.listeners('SIGTERM'));
    const beforeInt = new Set(process.listeners('SIGINT'));
    void runCli(['serve', '--settings', SETTINGS_FILE]);
    let health: Response | undefined;
    for (let attempt = 0; attempt < 200 && !health?.ok; attempt++) {
      health = await fetch(`${base}/healthz`).catch(() => undefined);
      if (!health?.ok) await new Promise((r) => setTimeout(r, 50));
    }
    expect(await health!.json()).toEqual({ status: 'ok' });
    expect((await fetch(`${base}/notes`)).status).toBe(200);

    // What the signal would do, without signalling the test process itself.
    const [stop] = process.listeners('SIGTERM').filter((l) => !before.has(l));
    for (const l of process.listeners('SIGINT').filter((l) => !beforeInt.has(l))) {
      process.off('SIGINT', l);
    }
    (stop as (signal: string) => void)('SIGTERM');
    expect(await exited).toBe(0);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    vi.restoreAllMocks();
  });
});
