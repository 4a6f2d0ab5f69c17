import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import { TemplateNotFound } from './errors.ts';

/** One directory on the template search path and who owns it. */
export interface TemplateSource {
  owner: string;
  dir: string;
}

/** Turns a `URL` or path into a directory path. */
export function toDir(where: URL | string): string {
  return where instanceof URL ? fileURLToPath(where) : where;
}

/** The directory of core's own templates (base layout, form macros, error pages). */
export const CORE_TEMPLATES = fileURLToPath(new URL('../templates/', import.meta.url));

/**
 * The site's template engine: Nunjucks with autoescape on and a search path — the site's
 * `templates/` first, then each app's in install order, then core's. The first file found wins,
 * so `apps/site/templates/blog/entry_list.njk` beats the blog's own.
 */
export class Templates {
  readonly env: nunjucks.Environment;
  readonly sources: TemplateSource[];
  /** The same search path without autoescape, for plain-text mail (`renderText`). */
  readonly #text: nunjucks.Environment;

  constructor(sources: TemplateSource[], opts: { cache: boolean }) {
    this.sources = sources.filter((s) => existsSync(s.dir));
    this.env = this.#environment(opts.cache, true);
    this.#text = this.#environment(opts.cache, false);
  }

  #environment(cache: boolean, autoescape: boolean): nunjucks.Environment {
    // One loader per environment: a loader caches compiled templates bound to their environment.
    const loader = new nunjucks.FileSystemLoader(
      this.sources.map((s) => s.dir),
      { noCache: !cache },
    );
    const env = new nunjucks.Environment(loader, { autoescape, throwOnUndefined: false });
    env.addFilter('date', formatDate);
    env.addFilter('json', (v: unknown) => new nunjucks.runtime.SafeString(safeJson(v)));
    return env;
  }

  /** Adds a global every template sees (`url`, `static`, the site name…). */
  addGlobal(name: string, value: unknown): void {
    this.env.addGlobal(name, value);
    this.#text.addGlobal(name, value);
  }

  /** Renders `name` with `context`; a missing template is a clear error naming it. */
  render(name: string, context: Record<string, unknown>): Promise<string> {
    return renderWith(this.env, name, context);
  }

  /**
   * Renders a plain-text template (a mail subject or body) without HTML escaping: in text,
   * `&` and `'` must stay as written. Never send its output as HTML.
   */
  renderText(name: string, context: Record<string, unknown>): Promise<string> {
    return renderWith(this.#text, name, context);
  }

  /** Where template `name` comes from: the first source that has it. */
  resolve(name: string): TemplateSource | undefined {
    return this.sources.find((s) => existsSync(join(s.dir, name)));
  }

  /** Every template name with the source that wins it and the sources it overrides. */
  list(): { name: string; winner: string; file: string; overrides: string[] }[] {
    const byName = new Map<string, { file: string; owners: string[] }>();
    for (const s of this.sources) {
      for (const file of walk(s.dir)) {
        const name = relative(s.dir, file).split(sep).join('/');
        const seen = byName.get(name);
        if (seen) seen.owners.push(s.owner);
        else byName.set(name, { file, owners: [s.owner] });
      }
    }
    return [...byName.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, v]) => ({
        name,
        winner: v.owners[0]!,
        file: v.file,
        overrides: v.owners.slice(1),
      }));
  }
}

function renderWith(
  env: nunjucks.Environment,
  name: string,
  context: Record<string, unknown>,
): Promise<string> {
  return new Promise((resolve, reject) => {
    env.render(name, context, (err, out) => {
      if (err) {
        // Only when `name` itself is missing: a missing include is reported as it is.
        if (err.message === `template not found: ${name}`) reject(new TemplateNotFound(name));
        else reject(err);
      } else resolve(out ?? '');
    });
  });
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...walk(full));
    else if (/\.(njk|html|txt|xml)$/.test(entry)) out.push(full);
  }
  return out;
}

/** JSON for an inline <script>: `<`, `>` and `&` escaped so it cannot close the tag. */
export function safeJson(v: unknown): string {
  return JSON.stringify(v ?? null)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026');
}

const DATE_STYLES: Record<string, Intl.DateTimeFormatOptions> = {
  long: { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' },
  short: { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' },
  month: { year: 'numeric', month: 'long', timeZone: 'UTC' },
};

function formatDate(value: unknown, style = 'long'): string {
  if (value === null || value === undefined || value === '') return '';
  const d = value instanceof Date ? value : new Date(String(value));
  const time = d.getTime();
  if (Number.isNaN(time)) return '';
  if (style === 'iso') return d.toISOString();
  const format = DATE_FORMATS[style] ?? DATE_FORMATS.long!;
  // Every style is a UTC calendar date: one ICU call per day and style, not per date shown (a
  // list page shows a date per entry).
  const key = `${style}:${Math.floor(time / DAY_MS)}`;
  let text = FORMATTED.get(key);
  if (text === undefined) {
    text = format.format(d);
    if (FORMATTED.size >= FORMATTED_MAX) FORMATTED.clear();
    FORMATTED.set(key, text);
  }
  return text;
}

const DAY_MS = 86_400_000;
/** Dates already formatted, by style and UTC day; bounded (cleared when full). */
const FORMATTED = new Map<string, string>();
const FORMATTED_MAX = 10_000;

// Building an Intl.DateTimeFormat costs ~100× more than formatting with one: build each style once.
const DATE_FORMATS: Record<string, Intl.DateTimeFormat> = Object.fromEntries(
  Object.entries(DATE_STYLES).map(([name, options]) => [
    name,
    new Intl.DateTimeFormat('en-GB', options),
  ]),
);
