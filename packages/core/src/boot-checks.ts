// The system checks a boot answers: the composition before anything runs (settings, apps, their
// options), then the mounted site (redirect and template targets, route overrides, hook names,
// unsafe routes, the apps' own checks). The database's checks are `tessera check`'s.
import type { TSchema } from 'typebox';
import { CORE_VERSION } from './boot.ts';
import { checkError, checkWarning, type CheckMessage } from './checks.ts';
import type { AppSpec, InstalledApp, SiteContext } from './contract.ts';
import { didYouMean } from './did-you-mean.ts';
import { checkOptions } from './options.ts';
import { checkOverrideTargets, overridePoints, type OverridePoint } from './overrides.ts';
import semver from 'semver';

/** What the first step found, and what the second needs. */
export interface StaticCheckResult {
  messages: CheckMessage[];
  /** Each app's options, filled in (defaults where a value was wrong). */
  options: Map<string, unknown>;
  /** Every app's override points, for the checks that need the mounted site. */
  points: OverridePoint[];
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Apps installed twice, dependencies not installed, cycles (E003) and version ranges (E004). */
export function checkApps(installed: readonly InstalledApp[]): CheckMessage[] {
  const found: CheckMessage[] = [];
  const names = installed.map((a) => a.spec.name);
  for (const name of new Set(names))
    if (names.filter((n) => n === name).length > 1)
      found.push(checkError('tessera.E003', `App '${name}' is installed twice.`));
  for (const { spec } of installed) {
    for (const dep of spec.dependsOn ?? []) {
      if (!names.includes(dep))
        found.push(
          checkError(
            'tessera.E003',
            `App '${spec.name}' depends on app '${dep}', which is not installed.`,
            `Add ${dep}() to the site's apps (npm install @tessera/${dep}).`,
          ),
        );
    }
  }
  const versions = new Map<string, string>([['@tessera/core', CORE_VERSION]]);
  for (const { spec } of installed)
    if (spec.version) versions.set(`@tessera/${spec.name}`, spec.version);
  for (const { spec } of installed) {
    for (const [pkg, range] of Object.entries(spec.requires ?? {})) {
      const have = versions.get(pkg);
      if (have && !semver.satisfies(have, range, { includePrerelease: true }))
        found.push(
          checkError(
            'tessera.E004',
            `App '${spec.name}' needs ${pkg} ${range}, but the site has ${have}.`,
            'Install a matching version of one or the other.',
          ),
        );
    }
  }
  return found;
}

/** The apps' options (E005, E007), once the apps are known to fit together. */
export function optionChecks(
  apps: readonly AppSpec[],
  installed: readonly InstalledApp[],
): StaticCheckResult {
  const messages: CheckMessage[] = [];
  const options = new Map<string, unknown>();
  const points: OverridePoint[] = [];
  for (const app of apps) {
    if (!app.options) {
      options.set(app.name, {});
      const input = installed.find((i) => i.spec === app)?.input;
      for (const key of Object.keys((input as object | undefined) ?? {}))
        messages.push(
          checkError('tessera.E005', `App '${app.name}' takes no options (got '${key}').`),
        );
      continue;
    }
    const input = installed.find((i) => i.spec === app)?.input;
    const checked = checkOptions(app.name, app.options, input);
    messages.push(...checked.messages);
    options.set(app.name, checked.options);
    points.push(
      ...overridePoints(
        app.name,
        app.options as TSchema,
        checked.options as Record<string, unknown>,
      ),
    );
  }
  return { messages, options, points };
}

/** Everything that needs the mounted site: targets, overrides, hooks, unsafe routes. */
export function mountedChecks(
  site: SiteContext,
  points: readonly OverridePoint[],
  outside: readonly { method: string; path: string; app: string }[],
): CheckMessage[] {
  const found = checkOverrideTargets(points, site);
  const names = site.routes.list().map((r) => r.name);
  for (const name of Object.keys(site.settings.routeOverrides ?? {})) {
    if (!site.routes.has(name))
      found.push(
        checkError(
          'tessera.E010',
          `routeOverrides names route '${name}', which no installed app or the site declares.`,
          didYouMean(name, names).trim() || 'Run `tessera routes` to list the names.',
        ),
      );
  }
  const declared = site.hooks
    .list()
    .filter((h) => h.app !== undefined)
    .map((h) => h.name);
  for (const hook of site.hooks.list()) {
    if (hook.app === undefined && hook.listeners.length)
      found.push(
        checkError(
          'tessera.E011',
          `A listener waits for hook '${hook.name}', which no installed app fires (listeners: ${hook.listeners.join(', ')}).`,
          didYouMean(hook.name, declared).trim() || 'Run `tessera hooks` to list the hooks.',
        ),
      );
  }
  for (const route of outside)
    if (UNSAFE.has(route.method))
      found.push(
        checkError(
          'tessera.E012',
          `App '${route.app}' registers ${route.method} ${route.path} in setup, outside the site's context: it has no session and no CSRF protection.`,
          'Register routes in the app’s `routes`, which mounts them in the site’s context.',
        ),
      );
  for (const e of site.routes.endpoints()) {
    if (UNSAFE.has(e.method) && e.config.csrf === false)
      found.push(
        checkWarning(
          'tessera.W012',
          `${e.method} ${e.path}${e.name ? ` (${e.name})` : ''} is exempt from CSRF protection.`,
          'Only for a route that takes a non-cookie credential (an API token), never a session.',
        ),
      );
  }
  return found;
}

/** The installed apps' own checks. */
export async function appChecks(site: SiteContext): Promise<CheckMessage[]> {
  const found: CheckMessage[] = [];
  for (const app of site.apps) if (app.checks) found.push(...(await app.checks(site)));
  return found;
}
