// `tessera diffsettings`: the effective settings and every app's effective options, each marked
// with where its value came from — core's default, the site's base settings, the environment's
// settings file, or the environment itself (`.env` or the process) — with secrets masked.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { pathToFileURL } from 'node:url';
import type { SiteContext } from './contract.ts';
import { isForm } from './overrides.ts';
import { DEFAULT_SETTINGS, EnvSchema } from './settings.ts';

/** Where a value came from. */
type Source = string;

/** One effective value and its origin. */
interface Row {
  key: string;
  value: string;
  source: Source;
  changed: boolean;
}

const SECRET = /(secret|password|token)/i;

/** A value as diffsettings prints it: functions and forms by name, URLs without passwords. */
function show(key: string, value: unknown): string {
  if (value === undefined) return 'unset';
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (isForm(value)) return `form '${value.name}'`;
  if (value instanceof URL) return value.href;
  if (typeof value === 'string') {
    if (SECRET.test(key) || /key$/i.test(key)) return value ? `'${'*'.repeat(8)}'` : "''";
    return `'${value.replace(/(\w+:\/\/[^:/@\s]*:)[^@\s]+@/, '$1********@')}'`;
  }
  if (Array.isArray(value)) return `[${value.map((v, i) => show(`${key}.${i}`, v)).join(', ')}]`;
  if (value && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as object | null;
    if (proto !== Object.prototype && proto !== null)
      return `${proto.constructor?.name ?? 'object'}`;
    return `{ ${Object.entries(value)
      .map(([k, v]) => `${k}: ${show(k, v)}`)
      .join(', ')} }`;
  }
  return String(value);
}

/** Flattens plain objects into dotted keys (one level of settings groups: `mail.from`). */
function leaves(value: Record<string, unknown>, prefix = ''): [string, unknown][] {
  return Object.entries(value).flatMap(([k, v]): [string, unknown][] => {
    const key = prefix ? `${prefix}.${k}` : k;
    const plain = v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;
    return plain && !prefix ? leaves(v as Record<string, unknown>, key) : [[key, v]];
  });
}

function at(root: unknown, key: string): unknown {
  return key
    .split('.')
    .reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], root);
}

/** The environment variables (by name) a value may have come from, `.env` ones marked. */
function environmentOrigins(): { name: string; value: string; dotenv: boolean }[] {
  const dotenv = existsSync('.env') ? readFileSync('.env', 'utf8') : '';
  return Object.keys(EnvSchema.properties).flatMap((name) => {
    const value = process.env[name];
    if (value === undefined || value === '') return [];
    return [{ name, value, dotenv: new RegExp(`^\\s*${name}\\s*=`, 'm').test(dotenv) }];
  });
}

function fromEnvironment(
  value: unknown,
  env: ReturnType<typeof environmentOrigins>,
): Source | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const hit = env.find((e) => e.value === String(value));
  return hit ? `environment (${hit.name}${hit.dotenv ? ', .env' : ''})` : undefined;
}

/** A settings module's value, when the site has that file (`base.ts` exports `base`). */
async function layer(file: string | undefined, exportName: string): Promise<unknown> {
  if (!file || !existsSync(file)) return undefined;
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  return mod[exportName];
}

/**
 * The report: settings first, then each app's options; only values that differ from core's or
 * the app's defaults unless `all`. `settingsFile` locates `base.ts` and `<env>.ts` beside it.
 */
export async function diffSettings(
  site: SiteContext,
  opts: { all?: boolean; settingsFile?: string } = {},
): Promise<string> {
  const settings = site.settings as unknown as Record<string, unknown>;
  const dir = opts.settingsFile
    ? dirname(opts.settingsFile)
    : existsSync('src/settings')
      ? 'src/settings'
      : undefined;
  const base = await layer(dir && join(dir, 'base.ts'), 'base');
  const envFile = `${site.settings.env}.ts`;
  const env = environmentOrigins();
  const rows: Row[] = [];
  const appRows: Row[] = [];
  for (const [key, value] of leaves(settings)) {
    if (key === 'apps') continue;
    const byDefault = at(DEFAULT_SETTINGS, key);
    const source =
      fromEnvironment(value, env) ??
      (base !== undefined &&
      isDeepStrictEqual(at(base, key), value) &&
      !isDeepStrictEqual(byDefault, value)
        ? 'base.ts'
        : isDeepStrictEqual(byDefault, value)
          ? 'default'
          : base !== undefined
            ? envFile
            : 'settings');
    rows.push({ key, value: show(key, value), source, changed: source !== 'default' });
  }
  for (const app of site.apps) {
    const options = (site.options.get(app.name) ?? {}) as Record<string, unknown>;
    const input = (site.settings.apps.find((i) => i.spec === app)?.input ?? {}) as Record<
      string,
      unknown
    >;
    for (const [key, value] of Object.entries(options)) {
      const given = Object.hasOwn(input, key);
      const source = fromEnvironment(value, env) ?? (given ? 'site (apps)' : 'default');
      appRows.push({ key: `${app.name}.${key}`, value: show(key, value), source, changed: given });
    }
  }
  const pick = (list: Row[]) => (opts.all ? list : list.filter((r) => r.changed));
  const shown = [...pick(rows), ...pick(appRows)];
  const width = Math.max(...shown.map((r) => r.key.length + r.value.length + 3), 10);
  const line = (r: Row) =>
    `${r.changed ? ' ' : '#'} ${`${r.key} = ${r.value}`.padEnd(width)}  ${r.source}`;
  return [
    `Settings of ${site.settings.siteName} (${site.settings.env}); ${opts.all ? 'every value, "#" where it is the default' : 'values that differ from the defaults (--all: every one)'}; secrets masked.`,
    '',
    ...pick(rows).map(line),
    '',
    'App options:',
    ...pick(appRows).map(line),
  ].join('\n');
}
