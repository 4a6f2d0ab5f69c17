import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import type { AppSpec } from './contract.ts';
import { StaticConflict } from './errors.ts';
import { toDir } from './templates.ts';

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const full = join(dir, entry);
    return statSync(full).isDirectory() ? files(full) : [full];
  });
}

/** A static path two files claim. */
export interface StaticCollision {
  path: string;
  first: string;
  second: string;
}

/** Every static file by the path it is served at, and the paths two files claim. */
export function staticClaims(
  apps: readonly AppSpec[],
  siteStatic: URL | string | undefined,
): { claims: Map<string, { owner: string; file: string }>; collisions: StaticCollision[] } {
  const claims = new Map<string, { owner: string; file: string }>();
  const collisions: StaticCollision[] = [];
  const claim = (owner: string, dir: string, prefix: string) => {
    for (const file of files(dir)) {
      const target = prefix + relative(dir, file).split(sep).join('/');
      const seen = claims.get(target);
      if (seen)
        collisions.push({
          path: target,
          first: `${seen.owner} (${seen.file})`,
          second: `${owner} (${file})`,
        });
      else claims.set(target, { owner, file });
    }
  };
  if (siteStatic) claim('site', toDir(siteStatic), '');
  for (const a of apps) if (a.static) claim(a.name, toDir(a.static), `${a.name}/`);
  return { claims, collisions };
}

/**
 * Copies every app's static files (to `<app>/…`) and the site's (to `…`) into `out`, for a front
 * server. Two files claiming one path fail loudly, naming both (Django keeps the first silently).
 */
export function collectStatic(
  apps: readonly AppSpec[],
  siteStatic: URL | string | undefined,
  out: string,
): number {
  const { claims, collisions } = staticClaims(apps, siteStatic);
  const first = collisions[0];
  if (first) throw new StaticConflict(first.path, first.first, first.second);
  for (const [target, { file }] of claims) {
    const dest = join(out, target);
    mkdirSync(dirname(dest), { recursive: true });
    copyFileSync(file, dest);
  }
  return claims.size;
}
