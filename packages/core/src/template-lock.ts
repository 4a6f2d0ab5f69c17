// Template drift: `tessera templates --lock` records a hash of each app template the site
// overrides; `tessera check` warns when an app's template changed since, naming both files —
// the site's copy may need the app's change too.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { checkWarning, type CheckMessage } from './checks.ts';
import type { SiteContext } from './contract.ts';
import { toDir } from './templates.ts';

/** The lock file's name, beside the site's templates folder. */
export const TEMPLATE_LOCK = 'templates.lock.json';

interface LockFile {
  /** Template name → the app whose template the site overrides, and that file's hash. */
  templates: Record<string, { app: string; sha256: string }>;
}

/** One template the site overrides: its own file and the one it replaces. */
interface Override {
  name: string;
  file: string;
  upstream: { app: string; file: string };
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Where the site's lock file lives, when the site has templates of its own. */
export function templateLockFile(site: SiteContext): string | undefined {
  const dir = site.settings.templates;
  return dir ? join(dirname(toDir(dir).replace(/\/+$/, '')), TEMPLATE_LOCK) : undefined;
}

/** Every template the site's folder overrides, with the app template it replaces. */
function siteOverrides(site: SiteContext): Override[] {
  const sources = site.templates.sources;
  return site.templates
    .list()
    .filter((t) => t.winner === 'site' && t.overrides.length)
    .map((t) => {
      const owner = sources.find((s) => s.owner !== 'site' && existsSync(join(s.dir, t.name)))!;
      return {
        name: t.name,
        file: t.file,
        upstream: { app: owner.owner, file: join(owner.dir, t.name) },
      };
    });
}

/** Writes the lock file; answers where and how many, or undefined when nothing is overridden. */
export function writeTemplateLock(site: SiteContext): { file: string; count: number } | undefined {
  const file = templateLockFile(site);
  const overrides = siteOverrides(site);
  if (!file || !overrides.length) return undefined;
  const lock: LockFile = {
    templates: Object.fromEntries(
      overrides.map((o) => [o.name, { app: o.upstream.app, sha256: sha256(o.upstream.file) }]),
    ),
  };
  writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
  return { file, count: overrides.length };
}

/** Warnings for overridden templates whose app template changed, or that were never locked. */
export function templateDrift(site: SiteContext): CheckMessage[] {
  const file = templateLockFile(site);
  const overrides = siteOverrides(site);
  if (!file || !overrides.length) return [];
  if (!existsSync(file))
    return [
      checkWarning(
        'tessera.W015',
        `The site overrides ${overrides.length} app template(s) but has no ${TEMPLATE_LOCK}: nothing tells when an app changes one of them.`,
        'Run `tessera templates --lock` and commit the file.',
      ),
    ];
  const lock = JSON.parse(readFileSync(file, 'utf8')) as LockFile;
  const found: CheckMessage[] = [];
  for (const o of overrides) {
    const locked = lock.templates[o.name];
    if (!locked) {
      found.push(
        checkWarning(
          'tessera.W015',
          `Template '${o.name}' (${o.file}) overrides ${o.upstream.app}'s, but ${TEMPLATE_LOCK} has no entry for it.`,
          'Run `tessera templates --lock` after checking the override against the app’s template.',
        ),
      );
    } else if (locked.app !== o.upstream.app || locked.sha256 !== sha256(o.upstream.file)) {
      found.push(
        checkWarning(
          'tessera.W016',
          `Template '${o.name}' overrides ${o.upstream.app}'s, which changed since it was locked: compare ${o.file} with ${o.upstream.file}.`,
          'Bring the change into the site’s copy if it needs it, then run `tessera templates --lock`.',
        ),
      );
    }
  }
  return found;
}
