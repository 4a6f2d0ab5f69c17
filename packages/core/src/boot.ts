// What the kernel decides before anything runs: which apps, in which order, at which versions,
// with which options. Pure functions of the settings, so `tessera check` can run them too.
import { readFileSync } from 'node:fs';
import semver from 'semver';
import type { AppSpec, InstalledApp } from './contract.ts';
import { RateLimitCounter } from './db/rate-limit.entity.ts';
import { CoreSession } from './db/session.entity.ts';
import {
  DependencyCycle,
  ImproperlyConfigured,
  IncompatibleVersion,
  MissingDependency,
} from './errors.ts';
import { coreJobs } from './jobs/prune.ts';
import { migrations as coreMigrations } from './migrations/index.ts';
import { coreRoutes } from './sessions.ts';

/** The kernel's version, for apps' `requires` ranges. */
export const CORE_VERSION: string = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
).version;

/** Core itself, as the first app: its session and rate-limit tables, their pruning, templates. */
export const coreApp: AppSpec = {
  name: 'core',
  version: CORE_VERSION,
  entities: [CoreSession, RateLimitCounter],
  migrations: coreMigrations,
  routes: coreRoutes,
  jobs: coreJobs,
};

/** Orders apps so each comes after what it depends on; keeps the site's order otherwise. */
export function orderApps(apps: readonly InstalledApp[]): AppSpec[] {
  const byName = new Map<string, AppSpec>();
  for (const { spec } of apps) {
    if (byName.has(spec.name))
      throw new ImproperlyConfigured(`App '${spec.name}' is installed twice.`);
    byName.set(spec.name, spec);
  }
  const ordered: AppSpec[] = [coreApp];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (spec: AppSpec, trail: string[]) => {
    if (state.get(spec.name) === 'done') return;
    if (state.get(spec.name) === 'visiting')
      throw new DependencyCycle([...trail, spec.name].join(' → '));
    state.set(spec.name, 'visiting');
    for (const dep of spec.dependsOn ?? []) {
      const target = byName.get(dep);
      if (!target) throw new MissingDependency(spec.name, dep);
      visit(target, [...trail, spec.name]);
    }
    state.set(spec.name, 'done');
    ordered.push(spec);
  };
  for (const spec of byName.values()) visit(spec, []);
  return ordered;
}

/** Fails when an app's `requires` range is not met by the installed core or apps. */
export function checkCompatibility(apps: readonly AppSpec[]): void {
  const versions = new Map<string, string>([['@tessera/core', CORE_VERSION]]);
  for (const a of apps)
    if (a.version && a.name !== 'core') versions.set(`@tessera/${a.name}`, a.version);
  for (const a of apps) {
    for (const [pkg, range] of Object.entries(a.requires ?? {})) {
      const have = versions.get(pkg);
      if (!have) continue;
      if (!semver.satisfies(have, range, { includePrerelease: true })) {
        throw new IncompatibleVersion(
          `App '${a.name}' needs ${pkg} ${range}, but the site has ${have}. Install a matching version of one or the other.`,
        );
      }
    }
  }
}
