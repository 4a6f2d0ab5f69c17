// Writes a new Tessera site — settings and root routes only — whose apps come from a registry.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { SITE_NODE, allowScripts } from './runtime.ts';

export * from './runtime.ts';

/** What an app package says about itself in its package.json `tessera` field. */
export interface AppMeta {
  /** The app's name (`contact-form`): its namespace, and its key in the site's mounts. */
  name: string;
  /** The npm package it comes in (`@tessera/contact-form`, `@acme/polls`); default `@tessera/<name>`. */
  package?: string;
  /** The factory its entry point exports (`contactForm`). */
  factory: string;
  /** Where the site mounts it by default (`/contact`). */
  mount: string;
  /** Apps it needs installed too: our apps by name (`auth`), others by package (`@acme/votes`). */
  dependsOn: string[];
  version: string;
}

/** How to create a site. */
export interface CreateOptions {
  dir: string;
  /** Our apps by name (`blog`), any other app by its package name (`@acme/polls`). */
  apps: string[];
  /** The registry @tessera/* comes from (the other packages come from npm's configured registry). */
  registry?: string;
  /** Run `npm install` and `tessera migrate` (default true). */
  install?: boolean;
  log?: (line: string) => void;
  /** Looks an app up; the default asks the registry with `npm view`. */
  lookup?: (app: string) => AppMeta;
  /** @tessera/core's version; the default asks the registry. */
  coreVersion?: string;
  /**
   * What `npm start` needs in development only (the embedded PostgreSQL, pretty logs): core's
   * optional peer dependencies, asked of the registry by default. Production installs skip them.
   */
  devDependencies?: Record<string, string>;
  /** The environment of `npm` and `tessera migrate` (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /**
   * The registry of each other scope the apps come from (`{ '@acme': 'http://…' }`), written to the
   * site's `.npmrc`; the default asks npm's config (`@acme:registry`).
   */
  scopeRegistries?: Record<string, string>;
}

const NAME = /^[a-z][a-z0-9-]*$/;
/** A scoped package holding an app of someone else's: `@acme/polls`. */
const PACKAGE = /^(@[a-z0-9][a-z0-9._-]*)\/([a-z][a-z0-9-]*)$/;
/** Apps that take the site's public address (`siteUrl`) in production: auth, for reset links. */
const NEEDS_SITE_URL = new Set(['@tessera/auth']);

/** The package an app comes in: ours by name (`auth` → `@tessera/auth`), others as given. */
export function appPackage(app: string): string {
  if (NAME.test(app)) return `@tessera/${app}`;
  if (PACKAGE.test(app)) return app;
  throw new Error(`'${app}' is not an app name (blog) or a scoped package (@acme/polls).`);
}

/** Asks the registry for an app's metadata; `app` is one of ours by name or a scoped package. */
export function registryLookup(
  registry: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): (app: string) => AppMeta {
  return (app) => {
    const pkg = appPackage(app);
    const args = ['view', pkg, 'tessera', 'version', '--json'];
    if (registry) args.push(`--@tessera:registry=${registry}`);
    let raw: string;
    try {
      raw = execFileSync('npm', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env });
    } catch {
      throw new Error(
        `${pkg} is not in the registry${registry && pkg.startsWith('@tessera/') ? ` at ${registry}` : ''}.`,
      );
    }
    const data = JSON.parse(raw) as {
      tessera?: Omit<AppMeta, 'version' | 'package'> & { name?: string };
      version: string;
    };
    if (!data.tessera)
      throw new Error(`${pkg} is not a Tessera app (its package.json has no "tessera" field).`);
    const { name, ...meta } = data.tessera;
    return { name: name ?? pkg.split('/')[1]!, package: pkg, version: data.version, ...meta };
  };
}

/** The registry npm's config names for `scope` (`@acme`), if any. */
export function configuredScopeRegistry(
  scope: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const value = execFileSync('npm', ['config', 'get', `${scope}:registry`, '--no-workspaces'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  }).trim();
  return value && value !== 'undefined' && value !== 'null' ? value : undefined;
}

/** The scopes other than @tessera the apps come from (`@acme`). */
export function otherScopes(apps: AppMeta[]): string[] {
  return [
    ...new Set(
      apps.map((a) => packageOf(a).split('/')[0]!).filter((scope) => scope !== '@tessera'),
    ),
  ];
}

/** The package an app's metadata names (ours when it names none). */
function packageOf(app: AppMeta): string {
  return app.package ?? `@tessera/${app.name}`;
}

/** The newest version of `pkg` in the registry. */
export function registryVersion(
  registry: string | undefined,
  pkg: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const args = ['view', pkg, 'version'];
  if (registry) args.push(`--@tessera:registry=${registry}`);
  return execFileSync('npm', args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  }).trim();
}

/** Core's optional peer dependencies (what a development start needs), from the registry. */
export function registryDevDependencies(
  registry: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const args = ['view', '@tessera/core', 'peerDependencies', 'peerDependenciesMeta', '--json'];
  if (registry) args.push(`--@tessera:registry=${registry}`);
  const raw = execFileSync('npm', args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  const data = JSON.parse(raw) as {
    peerDependencies?: Record<string, string>;
    peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  };
  return Object.fromEntries(
    Object.entries(data.peerDependencies ?? {}).filter(
      ([pkg]) => data.peerDependenciesMeta?.[pkg]?.optional,
    ),
  );
}

/** The apps to install: the ones asked for plus everything they depend on, dependencies first. */
export function resolveApps(wanted: string[], lookup: (app: string) => AppMeta): AppMeta[] {
  const out = new Map<string, AppMeta>();
  const visit = (app: string, trail: string[]) => {
    if (out.has(app)) return;
    if (trail.includes(app))
      throw new Error(`Apps depend on each other in a cycle: ${[...trail, app].join(' → ')}`);
    appPackage(app);
    const meta = lookup(app);
    for (const dep of meta.dependsOn) visit(dep, [...trail, app]);
    out.set(app, meta);
  };
  for (const app of wanted) visit(app, []);
  return [...out.values()];
}

/**
 * Every file of the new site, by path. `scopeRegistries` are the registries of the other scopes its
 * apps come from, written to its `.npmrc` next to `registry` (@tessera's).
 */
export function siteFiles(
  name: string,
  apps: AppMeta[],
  coreVersion: string,
  registry?: string,
  devDependencies: Record<string, string> = {},
  scopeRegistries: Record<string, string> = {},
): Record<string, string> {
  // `node` brings Node 24 to the site's scripts whatever Node the user has (see runtime.ts).
  const deps: Record<string, string> = { '@tessera/core': `^${coreVersion}`, node: SITE_NODE };
  for (const a of apps) deps[packageOf(a)] = `^${a.version}`;
  const imports = apps.map((a) => `import { ${a.factory} } from '${packageOf(a)}';`).join('\n');
  const npmrc = [
    ...(registry ? [`@tessera:registry=${registry.replace(/\/?$/, '/')}`] : []),
    ...Object.entries(scopeRegistries).map(
      ([scope, url]) => `${scope}:registry=${url.replace(/\/?$/, '/')}`,
    ),
  ];
  // Apps whose production options include the site's public address (auth's password reset links).
  const siteUrl = apps.some((a) => NEEDS_SITE_URL.has(packageOf(a)));
  const installs = apps
    .map(
      (a) =>
        `${a.factory}(${NEEDS_SITE_URL.has(packageOf(a)) ? 'siteUrl ? { siteUrl } : {}' : ''})`,
    )
    .join(', ');
  const mounts = apps.map((a) => `    '${a.name}': '${a.mount}',`).join('\n');
  return {
    'package.json':
      JSON.stringify(
        {
          name,
          private: true,
          type: 'module',
          scripts: { start: 'tessera serve', migrate: 'tessera migrate', tessera: 'tessera' },
          dependencies: deps,
          ...(Object.keys(devDependencies).length ? { devDependencies } : {}),
          allowScripts: allowScripts({ ...deps, ...devDependencies }),
        },
        null,
        2,
      ) + '\n',
    ...(npmrc.length ? { '.npmrc': `${npmrc.join('\n')}\n` } : {}),
    '.gitignore': 'node_modules/\n.tessera/\n.env\n',
    '.env.example': [
      '# Settings this site reads from the environment; copy to .env.',
      '# DATABASE_URL=postgres://postgres@127.0.0.1:5432/mysite   (unset: an embedded PostgreSQL under .tessera/)',
      '# SECRET_KEY=   (required in production: 32+ random characters)',
      ...(siteUrl
        ? ['# SITE_URL=https://your.site   (required in production: links in mails use it)']
        : []),
      '# SMTP_URL=smtp://user:pass@127.0.0.1:587   (unset: mail goes to the log)',
      '# MANAGERS=you@example.com',
      '# PORT=3000',
      '',
    ].join('\n'),
    'src/settings/base.ts': `// Settings every environment shares: the apps this site installs. Secrets come from the environment.
import { loadEnv, parseList, type InstalledApp, type SettingsInput } from '@tessera/core';
${imports}
import { routes } from '../routes.ts';

export const env = loadEnv();

/** The apps this site installs, with their options${siteUrl ? "; production passes the site's public address" : ''}. */
export function installApps(${siteUrl ? 'siteUrl?: string' : ''}): InstalledApp[] {
  return [${installs}];
}

export const base: SettingsInput = {
  siteName: ${JSON.stringify(name)},
  apps: installApps(),
  routes,
  templates: new URL('../../templates/', import.meta.url),
  databaseUrl: env.DATABASE_URL,
  embeddedDir: new URL('../../.tessera/postgres', import.meta.url).pathname,
  secretKey: env.SECRET_KEY ?? 'development-only-secret-key-change-me-in-production',
  host: env.HOST ?? '127.0.0.1',
  port: env.PORT ?? 3000,
  mail: {
    transport: env.SMTP_URL ?? 'console',
    from: env.DEFAULT_FROM_EMAIL ?? 'webmaster@localhost',
    managers: parseList(env.MANAGERS ?? 'managers@localhost'),
  },
};
`,
    'src/settings/development.ts': `import { defineSettings } from '@tessera/core';
import { base } from './base.ts';

export default defineSettings({ ...base, env: 'development', debug: true });
`,
    'src/settings/production.ts': `// Production: secrets and addresses from the environment, secure cookies behind a TLS front server.
import { ImproperlyConfigured, defineSettings } from '@tessera/core';
import { base, env${siteUrl ? ', installApps' : ''} } from './base.ts';

if (!env.SECRET_KEY)
  throw new ImproperlyConfigured('SECRET_KEY must be set in production (32+ characters).');
${
  siteUrl
    ? `if (!env.SITE_URL)
  throw new ImproperlyConfigured(
    'SITE_URL must be set in production (https://your.site): links in mails use it.',
  );
`
    : ''
}
export default defineSettings({
  ...base,
${siteUrl ? '  apps: installApps(env.SITE_URL),\n' : ''}  env: 'production',
  serveStatic: false,
  trustProxy: true,
  session: { cookieName: 'tessera_session', secure: true, maxAgeSeconds: 14 * 24 * 3600 },
});
`,
    'src/settings/test.ts': `import { defineSettings } from '@tessera/core';
import { base } from './base.ts';

export default defineSettings({ ...base, env: 'test', logLevel: 'silent', mail: { transport: 'outbox', from: 'site@example.com', managers: ['managers@example.com'] } });
`,
    'src/settings/index.ts': `import { environmentName } from '@tessera/core';

const modules = {
  development: () => import('./development.ts'),
  production: () => import('./production.ts'),
  test: () => import('./test.ts'),
};

export default (await modules[environmentName()]()).default;
`,
    'src/routes.ts': `// The site's root routes: where each app is mounted, and the home page.
import type { SiteRoutes } from '@tessera/core';

export const routes: SiteRoutes = {
  mounts: {
${mounts}
  },
  register(fastify) {
    fastify.get('/', { config: { name: 'home' } }, async (_request, reply) => reply.render('home.njk'));
  },
};
`,
    'templates/home.njk': `{% extends "base.njk" %}
{% block content %}
<h1>{{ site_name }}</h1>
<ul>
${apps.map((a) => `  <li><a href="${a.mount}/">${a.name}</a></li>`).join('\n')}
</ul>
{% endblock %}
`,
    'README.md': `# ${name}

A Tessera site: settings and root routes only. Its apps come from the registry:
${apps.map((a) => `- ${packageOf(a)} (mounted at \`${a.mount}\`)`).join('\n')}

\`\`\`sh
npm install && npm start    # http://localhost:3000, embedded PostgreSQL unless DATABASE_URL is set
\`\`\`

The site's scripts run on Node 24 whatever Node your shell has: its \`node\` dependency installs it
and npm puts it first on PATH for \`npm start\`, \`npm test\`, \`npm run …\` and \`npx\`.

Override an app's template by adding the same path under \`templates/\` (for example
\`templates/${apps[0]?.name ?? 'app'}/...\`); \`npx tessera templates\` shows which file wins. Settings live in
\`src/settings/\`, secrets in \`.env\` (see \`.env.example\`).

A new release of an app: \`npm update @tessera/<app>\`, then \`npm run migrate\`. An app that needs
another version of \`@tessera/core\` (or of another app) says so when the site boots.
`,
  };
}

/** Creates the site folder, writes its files and (by default) installs and migrates it. */
export function createSiteProject(opts: CreateOptions): string {
  const log = opts.log ?? console.log;
  const dir = resolve(opts.dir);
  const name = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-');
  if (existsSync(dir) && readdirSync(dir).length)
    throw new Error(`${dir} exists and is not empty.`);
  if (!opts.apps.length) throw new Error('Choose at least one app: --apps blog,contact-form');
  const env = opts.env ?? process.env;
  const lookup = opts.lookup ?? registryLookup(opts.registry, env);
  const apps = resolveApps(opts.apps, lookup);
  const coreVersion = opts.coreVersion ?? registryVersion(opts.registry, '@tessera/core', env);
  const devDependencies = opts.devDependencies ?? registryDevDependencies(opts.registry, env);
  const scopeRegistries =
    opts.scopeRegistries ??
    Object.fromEntries(
      otherScopes(apps).flatMap((scope) => {
        const url = configuredScopeRegistry(scope, env);
        return url ? [[scope, url]] : [];
      }),
    );
  const files = siteFiles(name, apps, coreVersion, opts.registry, devDependencies, scopeRegistries);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  log(`Created ${name} with ${apps.map((a) => a.name).join(', ')} in ${dir}`);
  if (opts.install !== false) {
    execFileSync('npm', ['install', '--no-audit', '--no-fund'], {
      cwd: dir,
      stdio: 'inherit',
      env,
    });
    execFileSync('npx', ['tessera', 'migrate'], { cwd: dir, stdio: 'inherit', env });
    log(`Done: cd ${opts.dir} && npm start`);
  }
  return dir;
}
