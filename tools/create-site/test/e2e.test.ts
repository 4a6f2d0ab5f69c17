// Publishing Tessera and composing new sites from the registry, end to end: build every package,
// stage exactly what `npm pack` ships, release it (pending changesets applied) to a Verdaccio of
// its own, create three sites in temp folders outside the monorepo that install only from that
// registry (and npm's upstream), boot each with `npm start`, submit their contact forms over HTTP
// and read what a separate SMTP server received; then release a patch of one app and update a site.
// Last, an app author's round trip: `npm create @tessera/app` from the registry, the app's own
// tests, `npm run release` to the registry, and a site that installs it with one of our apps,
// overrides one of its templates, listens to its hook and serves it.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  globSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppFactory } from '@tessera/core';
import { dropDatabase, ensureDatabase, freePort } from '@tessera/core/internal';
import {
  release,
  startRegistry,
  writeNpmrc,
  type Registry,
  type WorkspacePackage,
} from '@tessera/registry';
import { createSiteProject } from '../src/index.ts';
import {
  Browser,
  ROOT,
  TSC,
  buildPackages,
  childEnv,
  packedFiles,
  publishablePackages,
  smtpServer,
  stageRelease,
  startSite,
  userEnv,
  type RunningSite,
  type SmtpServer,
} from './e2e-kit.ts';

const SECRET_KEY = 'an-end-to-end-secret-key-longer-than-32-characters';
const SITES = ['a', 'b', 'c', 'd'] as const;
type SiteName = (typeof SITES)[number];

describe('publishing Tessera and composing new sites from the registry', () => {
  const serverUrl = process.env.TESSERA_TEST_SERVER_URL!;
  const work = mkdtempSync(join(tmpdir(), 'tessera-e2e-'));
  const stage = join(work, 'stage');
  const sitesDir = join(work, 'sites');
  const databases = Object.fromEntries(
    SITES.map((s) => [s, `tessera_e2e_${s}_${process.pid}`]),
  ) as Record<SiteName, string>;
  const running: RunningSite[] = [];
  let pkgs: WorkspacePackage[];
  const packed = new Map<string, string[]>();
  let registry: Registry;
  let publishEnv: NodeJS.ProcessEnv;
  let smtp: SmtpServer;

  /**
   * The environment a site is created in: a developer's shell — the machine's own Node, maybe too
   * old for the site's TypeScript — with the site's database.
   */
  const createEnv = (site: SiteName) =>
    userEnv({ DATABASE_URL: `${serverUrl}/${databases[site]}` });
  /**
   * The environment a site runs in: the same shell, production, its own database, the test's SMTP
   * server. The site's scripts get Node 24 from the site's own `node` dependency.
   */
  const siteEnv = (site: SiteName, port = 0) =>
    userEnv({
      TESSERA_ENV: 'production',
      DATABASE_URL: `${serverUrl}/${databases[site]}`,
      SECRET_KEY,
      SITE_URL: `https://site-${site}.example.com`,
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      MANAGERS: `${site}-managers@example.com`,
      PORT: String(port),
    });
  const siteDir = (site: SiteName) => join(sitesDir, `site-${site}`);
  const appsDir = join(work, 'apps');
  /** A publisher's scope of its own, served by the same registry. */
  const scopeRegistry = () => ({ 'npm_config_@acme:registry': `${registry.url}/` });
  /**
   * The app author's npm user config: the publishing token and registries, and
   * `npm config set @acme:registry …` — a file, as a user's is: `npm exec` (and so `npm create`)
   * hands its child no `npm_config_@scope:…` variables.
   */
  const authorEnv = (extra: Record<string, string> = {}) => {
    const npmrc = join(work, 'author.npmrc');
    if (!existsSync(npmrc))
      writeFileSync(
        npmrc,
        `${readFileSync(publishEnv.NPM_CONFIG_USERCONFIG!, 'utf8')}\n@acme:registry=${registry.url}/\n`,
      );
    return userEnv({ NPM_CONFIG_USERCONFIG: npmrc, ...extra });
  };
  const boot = async (site: SiteName) => {
    const port = await freePort();
    const s = await startSite(siteDir(site), port, siteEnv(site, port));
    running.push(s);
    return s;
  };
  const stop = async (s: RunningSite) => {
    await s.stop();
    running.splice(running.indexOf(s), 1);
  };
  const mailsTo = (address: string) => smtp.mails.filter((m) => m.to.includes(address));
  /** The mails to `address` once there are `n`: the site's job worker sends them after the request. */
  const mailsOnceThere = async (address: string, n: number) => {
    for (let end = Date.now() + 60_000; mailsTo(address).length < n;) {
      if (Date.now() > end) throw new Error(`Never got ${n} mail(s) to ${address}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return mailsTo(address);
  };
  const query = async (site: SiteName, sql: string) => {
    const client = new pg.Client({ connectionString: `${serverUrl}/${databases[site]}` });
    await client.connect();
    try {
      return (await client.query(sql)).rows as Record<string, unknown>[];
    } finally {
      await client.end();
    }
  };
  const stagedJson = (name: string) => {
    const p = pkgs.find((q) => q.json.name === name)!;
    return JSON.parse(
      readFileSync(join(stage, relative(ROOT, p.dir), 'package.json'), 'utf8'),
    ) as WorkspacePackage['json'];
  };
  const published = (spec: string, field: string) =>
    JSON.parse(
      execFileSync('npm', ['view', spec, field, '--json'], {
        cwd: work,
        env: { ...publishEnv, ...scopeRegistry() },
        encoding: 'utf8',
      }),
    ) as unknown;

  beforeAll(async () => {
    pkgs = publishablePackages();
    await buildPackages(pkgs);
    for (const p of pkgs) packed.set(p.json.name, packedFiles(p.dir));
    stageRelease(pkgs, stage, packed);
    smtp = await smtpServer();
    registry = await startRegistry({
      dir: join(work, 'registry'),
      port: await freePort(),
      quiet: true,
    });
    const npmrc = writeNpmrc(
      join(work, 'publish.npmrc'),
      registry.url,
      await registry.token(),
      registry.upstream,
    );
    publishEnv = childEnv({ NPM_CONFIG_USERCONFIG: npmrc });
    for (const s of SITES) {
      await dropDatabase(serverUrl, databases[s]);
      await ensureDatabase(serverUrl, databases[s]);
    }
  }, 600_000);

  afterAll(async () => {
    for (const s of [...running]) await s.stop();
    await registry?.stop();
    await smtp?.close();
    for (const s of SITES) await dropDatabase(serverUrl, databases[s]).catch(() => {});
    rmSync(work, { recursive: true, force: true });
  });

  it("each package's tarball holds its built code, templates and migrations, and no tests, sources or secrets", () => {
    expect(pkgs.map((p) => p.json.name)).toEqual(
      expect.arrayContaining([
        '@tessera/core',
        '@tessera/testing',
        '@tessera/auth',
        '@tessera/contact-form',
        '@tessera/create-site',
      ]),
    );
    for (const p of pkgs) {
      const files = packed.get(p.json.name)!;
      const name = p.json.name;
      expect(files, name).toContain('package.json');
      expect(files, name).toContain('README.md');
      for (const f of files) {
        expect(f, name).toMatch(
          /^(dist|bin|templates|static)\/|^(package\.json|README\.md|CHANGELOG\.md)$/,
        );
        expect(f, name).not.toMatch(/(^|\/)(test|src)\/|\.test\.|(^|\/)\.env|\.tsbuildinfo$/);
      }
      // Every template ships, and every migration ships compiled.
      const templates = globSync('templates/**/*', { cwd: p.dir, withFileTypes: true })
        .filter((d) => d.isFile())
        .map((d) => relative(p.dir, join(d.parentPath, d.name)));
      for (const t of templates) expect(files, name).toContain(t);
      for (const m of globSync('src/migrations/*.ts', { cwd: p.dir }))
        expect(files, name).toContain(m.replace(/^src\//, 'dist/').replace(/\.ts$/, '.js'));
      // What package.json points at is in the tarball: exports (but the workspace-only source
      // condition), the bin and the imports map.
      const targets = (value: unknown): string[] =>
        typeof value === 'string'
          ? [value]
          : Object.entries((value ?? {}) as Record<string, unknown>)
              .filter(([k]) => k !== 'source')
              .flatMap(([, v]) => targets(v));
      const json = p.json as Record<string, unknown>;
      for (const t of [...targets(json.exports), ...targets(json.bin), ...targets(json.imports)])
        expect(files, `${name} → ${t}`).toContain(t.replace(/^\.\//, ''));
    }
    expect(packed.get('@tessera/core')).toEqual(
      expect.arrayContaining(['bin/tessera.js', 'dist/migrations/index.js', 'templates/base.njk']),
    );
    expect(packed.get('@tessera/contact-form')).toEqual(
      expect.arrayContaining([
        'dist/index.js',
        'dist/index.d.ts',
        'dist/migrations/0001_initial.js',
        'templates/contact-form/form.njk',
      ]),
    );
  });

  it('a release applies the pending changesets and publishes every package to the registry', () => {
    release({ cwd: stage, env: publishEnv, build: false, stdio: 'pipe' });
    for (const p of pkgs) {
      const { version } = stagedJson(p.json.name);
      expect(published(`${p.json.name}@${version}`, 'version'), p.json.name).toBe(version);
    }
    // Nothing waits any more in the stage; the repository's own changesets are untouched.
    expect(readdirSync(join(stage, '.changeset')).filter((f) => f.endsWith('.md'))).toEqual([
      'README.md',
    ]);
    expect(readdirSync(join(ROOT, '.changeset')).length).toBeGreaterThan(2);
  });

  it('every app tells create-site how to install it, and takes its version and requirements from its package.json', async () => {
    const apps = pkgs.filter((p) =>
      ((p.json.nx as { tags?: string[] } | undefined)?.tags ?? []).includes('scope:app'),
    );
    expect(apps.map((p) => p.json.name)).toContain('@tessera/contact-form');
    for (const p of apps) {
      const name = p.json.name;
      // create-site reads this from the registry to install the app and mount it.
      const meta = p.json.tessera as { factory: string; mount: string; dependsOn: string[] };
      expect(meta, `${name} has no "tessera" field in its package.json`).toMatchObject({
        factory: expect.stringMatching(/^[a-zA-Z]+$/),
        mount: expect.stringMatching(/^\//),
        dependsOn: expect.any(Array),
      });
      const mod = (await import(pathToFileURL(join(p.dir, 'src/index.ts')).href)) as Record<
        string,
        AppFactory | undefined
      >;
      const spec = mod[meta.factory]?.spec;
      expect(spec, `${name} exports no app factory '${meta.factory}'`).toBeDefined();
      expect(spec!.dependsOn ?? [], name).toEqual(meta.dependsOn);
      // A release moves the package's version and peer ranges; what boot checks must move with
      // them, so the app reads both from its package.json.
      const peers = (p.json.peerDependencies ?? {}) as Record<string, string>;
      expect(spec!.version, `${name}: the app's version`).toBe(p.json.version);
      for (const [dep, range] of Object.entries(spec!.requires ?? {}))
        expect(range, `${name}: requires ${dep}`).toBe(peers[dep]);
    }
  });

  it('npm create @tessera/site writes Site A with auth and contact-form from the registry, installs it and migrates it', () => {
    forgetNpxCopies('@tessera/create-site', publishEnv);
    mkdirSync(sitesDir, { recursive: true });
    const userNode = execFileSync('node', ['--version'], {
      env: createEnv('a'),
      encoding: 'utf8',
    }).trim();
    const created = spawnSync(
      'npm',
      [
        'create',
        '@tessera/site@latest',
        'site-a',
        '--',
        '--apps',
        'auth,contact-form',
        '--registry',
        registry.url,
      ],
      {
        cwd: sitesDir,
        // Where the user's npm finds @tessera/create-site (`npm config set @tessera:registry ...`),
        // and no prompt before npx installs it.
        env: {
          ...createEnv('a'),
          'npm_config_@tessera:registry': `${registry.url}/`,
          npm_config_yes: 'true',
        },
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const output = `${created.stdout}${created.stderr}`;
    expect(created.status, output).toBe(0);
    // The bin runs on the user's Node and says so; npm 11 runs every install script it needs
    // (Node 24's, the embedded PostgreSQL's) without a notice.
    expect(output).toContain(`create-site runs on Node ${userNode.slice(1)};`);
    expect(output).not.toMatch(/install-scripts|allowScripts/);
    const site = JSON.parse(readFileSync(join(siteDir('a'), 'package.json'), 'utf8'));
    const range = (name: string) => `^${stagedJson(name).version}`;
    expect(site.dependencies).toEqual({
      node: '^24',
      '@tessera/core': range('@tessera/core'),
      '@tessera/auth': range('@tessera/auth'),
      '@tessera/contact-form': range('@tessera/contact-form'),
    });
    expect(readFileSync(join(siteDir('a'), '.npmrc'), 'utf8')).toBe(
      `@tessera:registry=${registry.url}/\n`,
    );
    for (const f of ['src/settings/base.ts', 'src/routes.ts', '.env.example', 'README.md'])
      expect(existsSync(join(siteDir('a'), f)), f).toBe(true);
    // Installed from the registry: the published build, not the workspace's sources.
    const core = join(siteDir('a'), 'node_modules/@tessera/core');
    expect(existsSync(join(core, 'dist/index.js'))).toBe(true);
    expect(existsSync(join(core, 'src'))).toBe(false);
    // The site's scripts run on its own Node 24, not on the shell's.
    const scriptNode = execFileSync('npm', ['exec', '--', 'node', '--version'], {
      cwd: siteDir('a'),
      env: createEnv('a'),
      encoding: 'utf8',
    }).trim();
    expect(scriptNode).toMatch(/^v24\./);
  });

  it("Site A's embedded PostgreSQL starts under npm 11's install-script policy when no DATABASE_URL is set", () => {
    const env = userEnv();
    const migrate = spawnSync('npm', ['run', 'migrate'], {
      cwd: siteDir('a'),
      env,
      encoding: 'utf8',
    });
    expect(migrate.status, `${migrate.stdout}${migrate.stderr}`).toBe(0);
    expect(existsSync(join(siteDir('a'), '.tessera/postgres/PG_VERSION'))).toBe(true);
  });

  it('Site A was migrated at creation: every app has its tables before the site first boots', async () => {
    const tables = await query(
      'a',
      "select to_regclass('contact_form_message') as contact, to_regclass('auth_user') as users, count(*) as n from tessera_migrations",
    );
    expect(tables[0]).toMatchObject({ contact: 'contact_form_message', users: 'auth_user' });
    expect(Number(tables[0]!.n)).toBeGreaterThanOrEqual(3);
  });

  it('Sites B and C are made by create-site from the same registry, then customised in their own files', () => {
    for (const s of ['b', 'c'] as const) {
      createSiteProject({
        dir: siteDir(s),
        apps: ['contact-form'],
        registry: registry.url,
        env: createEnv(s),
        log: () => {},
      });
      expect(JSON.parse(readFileSync(join(siteDir(s), 'package.json'), 'utf8')).name).toBe(
        `site-${s}`,
      );
    }
    // Site B: an extended form and a redirect to a page of its own.
    edit(siteDir('b'), 'src/settings/base.ts', [
      [
        "import { contactForm } from '@tessera/contact-form';",
        "import { fields } from '@tessera/core';\nimport { ContactForm, contactForm } from '@tessera/contact-form';",
      ],
      [
        'export const env = loadEnv();',
        "// The site's own route, named in successRedirect, is declared as every name a site reverses.\ndeclare module '@tessera/core' {\n  interface RouteParams {\n    thanks: Record<string, never>;\n  }\n}\n\nconst ProjectForm = ContactForm.extend({\n  name: 'project',\n  fields: { budget: fields.text({ label: 'Budget', maxLength: 50 }) },\n});\n\nexport const env = loadEnv();",
      ],
      [
        'return [contactForm()];',
        "return [contactForm({ form: ProjectForm, successRedirect: 'thanks' })];",
      ],
    ]);
    edit(siteDir('b'), 'src/routes.ts', [
      [
        "reply.render('home.njk'));",
        "reply.render('home.njk'));\n    fastify.get('/thanks', { config: { name: 'thanks' } }, async (_request, reply) =>\n      reply.render('thanks.njk'),\n    );",
      ],
    ]);
    writeFileSync(
      join(siteDir('b'), 'templates/thanks.njk'),
      '{% extends "base.njk" %}\n{% block content %}<h1>Thanks from Site B</h1>{% endblock %}\n',
    );
    // Site C: a spam filter listening to the contact form's hook.
    edit(siteDir('c'), 'src/settings/base.ts', [
      [
        "import { loadEnv, parseList, type InstalledApp, type SettingsInput } from '@tessera/core';",
        "import { loadEnv, parseList, veto, type InstalledApp, type SettingsInput } from '@tessera/core';",
      ],
      [
        '  routes,\n',
        "  routes,\n  listeners(hooks) {\n    hooks.on('contact-form:validate', function rejectPills(payload) {\n      if (/cheap pills/i.test(String(payload.data.message))) return veto('cheap pills');\n    });\n  },\n",
      ],
    ]);
  });

  it("the published type declarations check a site's code: settings with a hook listener, an extended form, routes", () => {
    // Site C's settings hold its listener; this file adds what Site B wrote and what apps rely on.
    writeFileSync(
      join(siteDir('c'), 'src/published-types.ts'),
      [
        "import type { FastifyReply, FastifyRequest } from 'fastify';",
        "import { fields, type HookPayloads } from '@tessera/core';",
        "import { ContactForm, contactForm, type ContactValidatePayload } from '@tessera/contact-form';",
        '',
        "declare module '@tessera/core' {",
        '  interface RouteParams {',
        '    thanks: Record<string, never>;',
        '  }',
        '}',
        "const ProjectForm = ContactForm.extend({ name: 'project', fields: { budget: fields.text({ label: 'Budget' }) } });",
        "export const app = contactForm({ form: ProjectForm, successRedirect: 'thanks' });",
        "export const validate = (p: ContactValidatePayload): HookPayloads['contact-form:validate'] => p;",
        "export const flash = (request: FastifyRequest) => request.session.get('_flash');",
        "export const page = (reply: FastifyReply) => reply.render('thanks.njk');",
        'export const token = (reply: FastifyReply) => reply.generateCsrf();',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(siteDir('c'), 'tsconfig.e2e.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2023',
          lib: ['ES2023'],
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          allowImportingTsExtensions: true,
          verbatimModuleSyntax: true,
          erasableSyntaxOnly: true,
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [join(ROOT, 'node_modules/@types')],
        },
        include: ['src/**/*.ts'],
      }),
    );
    const tsc = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.e2e.json'], {
      cwd: siteDir('c'),
      encoding: 'utf8',
    });
    expect(`${tsc.stdout}${tsc.stderr}`).toBe('');
    expect(tsc.status).toBe(0);
  });

  it('Site A boots with npm start and mails the default fields of its contact form', async () => {
    const site = await boot('a');
    const browser = new Browser(site.url);
    expect((await browser.get('/')).status).toBe(200);
    const res = await browser.submit('/contact', {
      name: 'Ada',
      email: 'ada@example.com',
      message: 'Hello from Site A',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/contact/sent');
    const [mail, ...more] = await mailsOnceThere('a-managers@example.com', 1);
    expect(more).toEqual([]);
    expect(mail!.headers.subject).toBe('[site-a] Message from Ada');
    expect(mail!.text).toContain('Your name:\nAda\n');
    expect(mail!.text).toContain('Your email address:\nada@example.com\n');
    expect(mail!.text).toContain('Your message:\nHello from Site A\n');
    await stop(site);
  });

  it('Site B mails its extra field and sends the sender to its own page', async () => {
    const site = await boot('b');
    const browser = new Browser(site.url);
    const form = await (await browser.get('/contact')).text();
    expect(form).toContain('name="budget"');
    const res = await browser.submit('/contact', {
      name: 'Grace',
      email: 'grace@example.com',
      message: 'A project for you',
      budget: '5000 EUR',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/thanks');
    const landing = await browser.get('/thanks');
    expect(landing.status).toBe(200);
    expect(await landing.text()).toContain('Thanks from Site B');
    const [mail, ...more] = await mailsOnceThere('b-managers@example.com', 1);
    expect(more).toEqual([]);
    expect(mail!.text).toContain('Budget:\n5000 EUR\n');
    expect(mail!.text).toContain('Your message:\nA project for you\n');
    expect(mail!.text).toContain('the project form');
    await stop(site);
  });

  it('Site C stores a message its spam listener vetoes without mailing it, and mails the others', async () => {
    const site = await boot('c');
    const browser = new Browser(site.url);
    const spam = await browser.submit('/contact', {
      name: 'Spammer',
      email: 'spam@example.com',
      message: 'Cheap pills, today only',
    });
    // The sender sees what anyone else sees.
    expect(spam.status).toBe(303);
    expect(spam.headers.get('location')).toBe('/contact/sent');
    const ham = await browser.submit('/contact', {
      name: 'Linus',
      email: 'linus@example.com',
      message: 'A real question',
    });
    expect(ham.status).toBe(303);
    const mails = await mailsOnceThere('c-managers@example.com', 1);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain('A real question');
    expect(smtp.mails.some((m) => m.text.includes('Cheap pills'))).toBe(false);
    const rows = await query(
      'c',
      "select state, spam_reason, data->>'message' as message from contact_form_message order by id",
    );
    expect(rows).toEqual([
      { state: 'spam', spam_reason: 'cheap pills', message: 'Cheap pills, today only' },
      { state: 'sent', spam_reason: null, message: 'A real question' },
    ]);
    await stop(site);
  });

  it("an app that needs another version of core stops the site's boot, naming both", () => {
    writeFileSync(
      join(siteDir('a'), 'src/settings/incompatible.ts'),
      [
        "import { defineApp, defineSettings } from '@tessera/core';",
        "import { base } from './base.ts';",
        '',
        "const future = defineApp({ name: 'future', requires: { '@tessera/core': '>=99.0.0' } });",
        '',
        "export default defineSettings({ ...base, env: 'production', apps: [...base.apps, future()] });",
        '',
      ].join('\n'),
    );
    const check = spawnSync(
      'npx',
      ['tessera', 'check', '--settings', 'src/settings/incompatible.ts'],
      { cwd: siteDir('a'), env: siteEnv('a'), encoding: 'utf8' },
    );
    const core = stagedJson('@tessera/core').version;
    expect(`${check.stdout}${check.stderr}`).toContain(
      `App 'future' needs @tessera/core >=99.0.0, but the site has ${core}.`,
    );
    expect(check.status).not.toBe(0);
  });

  it('a patch release of contact-form reaches Site A through npm update, and Site A still boots', async () => {
    const before = stagedJson('@tessera/contact-form').version;
    const coreVersions = published('@tessera/core', 'versions');
    const dir = join(stage, 'packages/contact-form');
    edit(dir, 'templates/contact-form/sent.njk', [
      ['<h1>Thank you</h1>', '<h1>Thank you, truly</h1>'],
    ]);
    writeFileSync(
      join(stage, '.changeset/warmer-thanks.md'),
      "---\n'@tessera/contact-form': patch\n---\n\nThe thank-you page says so more warmly.\n",
    );
    release({ cwd: stage, env: publishEnv, build: false, stdio: 'pipe' });

    const after = stagedJson('@tessera/contact-form').version;
    const [major, minor, patch] = before.split('.').map(Number);
    expect(after).toBe(`${major}.${minor}.${patch! + 1}`);
    expect(readFileSync(join(dir, 'CHANGELOG.md'), 'utf8')).toContain(
      `## ${after}\n\n### Patch Changes\n\n`,
    );
    expect(published('@tessera/contact-form', 'version')).toBe(after);
    expect(published('@tessera/core', 'versions')).toEqual(coreVersions);

    execFileSync(
      'npm',
      ['update', '@tessera/contact-form', '--prefer-online', '--no-audit', '--no-fund'],
      {
        cwd: siteDir('a'),
        env: siteEnv('a'),
        stdio: 'pipe',
      },
    );
    const installed = JSON.parse(
      readFileSync(join(siteDir('a'), 'node_modules/@tessera/contact-form/package.json'), 'utf8'),
    );
    expect(installed.version).toBe(after);
    const site = await boot('a');
    const browser = new Browser(site.url);
    expect(await (await browser.get('/contact/sent')).text()).toContain('Thank you, truly');
    expect(
      (
        await browser.submit('/contact', {
          name: 'Ada',
          email: 'ada@example.com',
          message: 'Again',
        })
      ).status,
    ).toBe(303);
    expect(await mailsOnceThere('a-managers@example.com', 2)).toHaveLength(2);
    await stop(site);
  });

  it("npm create @tessera/app writes @acme/polls from the registry on the user's Node, and its own tests pass at once", () => {
    forgetNpxCopies('@tessera/create-app', publishEnv);
    mkdirSync(appsDir, { recursive: true });
    const env = authorEnv({ npm_config_yes: 'true' });
    const created = spawnSync(
      'npm',
      ['create', '@tessera/app@latest', '@acme/polls', '--', '--registry', registry.url],
      { cwd: appsDir, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    const output = `${created.stdout}${created.stderr}`;
    expect(created.status, output).toBe(0);
    expect(output).toMatch(/create-app runs on Node /);
    expect(output).not.toMatch(/install-scripts|allowScripts/);
    const app = join(appsDir, 'polls');
    const pkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'));
    expect(pkg.name).toBe('@acme/polls');
    expect(pkg.devDependencies['@tessera/core']).toBe(`^${stagedJson('@tessera/core').version}`);
    // Its scope's registry is in its .npmrc: a release from any clone goes to the same place.
    expect(readFileSync(join(app, '.npmrc'), 'utf8')).toBe(
      `@tessera:registry=${registry.url}/\n@acme:registry=${registry.url}/\n`,
    );
    const test = spawnSync('npm', ['test'], {
      cwd: app,
      env: authorEnv({ TESSERA_TEST_DATABASE_URL: `${serverUrl}/postgres` }),
      encoding: 'utf8',
    });
    expect(test.status, `${test.stdout}${test.stderr}`).toBe(0);
    // eslint-disable-next-line no-control-regex -- vitest colours its summary
    const summary = `${test.stdout}${test.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
    expect(summary).toMatch(/Tests +6 passed \(6\)/);
    expect(summary).toMatch(/Lines +: +(9\d|100)(\.\d+)?%/);
    // The author changes an entity; the app's own script writes the migration from the diff.
    const migrations = (label?: string) => {
      const made = spawnSync('npm', ['run', 'makemigrations', ...(label ? ['--', label] : [])], {
        cwd: app,
        env: authorEnv({ DATABASE_URL: `${serverUrl}/postgres` }),
        encoding: 'utf8',
      });
      expect(made.status, `${made.stdout}${made.stderr}`).toBe(0);
      return made.stdout;
    };
    expect(migrations()).toContain('No changes');
    edit(app, 'src/entry.entity.ts', [
      ['    text: p.string()', '    votes: p.integer().default(0),\n    text: p.string()'],
    ]);
    expect(migrations('votes')).toMatch(/wrote .*0002_votes\.ts/);
    expect(readFileSync(join(app, 'src/migrations/0002_votes.ts'), 'utf8')).toContain(
      'alter table \\"polls_entry\\" add \\"votes\\" int not null default 0;',
    );
  });

  it('npm run release publishes @acme/polls, its first changeset applied, to the registry npm has for its scope', () => {
    const app = join(appsDir, 'polls');
    const env = authorEnv();
    const git = (...args: string[]) => execFileSync('git', args, { cwd: app, env, stdio: 'pipe' });
    git('add', '-A');
    git('commit', '-qm', 'polls');
    const release = spawnSync('npm', ['run', 'release'], { cwd: app, env, encoding: 'utf8' });
    expect(release.status, `${release.stdout}${release.stderr}`).toBe(0);
    expect(JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')).version).toBe('0.2.0');
    expect(published('@acme/polls@0.2.0', 'tessera')).toEqual({
      factory: 'polls',
      mount: '/polls',
      dependsOn: [],
    });
    expect(published('@acme/polls@0.2.0', 'dist.tarball')).toContain(registry.url);
  });

  it('Site D installs @acme/polls with contact-form, overrides its entry page, listens to its hook, and serves it', async () => {
    createSiteProject({
      dir: siteDir('d'),
      apps: ['@acme/polls', 'contact-form'],
      registry: registry.url,
      env: { ...createEnv('d'), ...scopeRegistry() },
      log: () => {},
    });
    expect(readFileSync(join(siteDir('d'), '.npmrc'), 'utf8')).toBe(
      `@tessera:registry=${registry.url}/\n@acme:registry=${registry.url}/\n`,
    );
    edit(siteDir('d'), 'src/settings/base.ts', [
      [
        '  routes,\n',
        "  routes,\n  listeners(hooks) {\n    hooks.on('polls:entry-created', function announce({ entry }) {\n      console.log(`site-d heard polls:entry-created #${entry.id} ${entry.text}`);\n    });\n  },\n",
      ],
    ]);
    mkdirSync(join(siteDir('d'), 'templates/polls'), { recursive: true });
    writeFileSync(
      join(siteDir('d'), 'templates/polls/entry.njk'),
      '{% extends "base.njk" %}\n{% block content %}<h1>Site D asks: {{ entry.text }}</h1>{% endblock %}\n',
    );
    const site = await boot('d');
    const browser = new Browser(site.url);
    const index = await browser.get('/polls');
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('name="text"');
    const res = await browser.submit('/polls', { text: 'Tabs or spaces?' });
    expect(res.status).toBe(303);
    const location = res.headers.get('location')!;
    expect(location).toMatch(/^\/polls\/\d+$/);
    expect(await (await browser.get(location)).text()).toContain(
      '<h1>Site D asks: Tabs or spaces?</h1>',
    );
    // The listener ran in the request; its line reaches this process through the site's pipe.
    for (let end = Date.now() + 10_000; !/site-d heard/.test(site.output());) {
      if (Date.now() > end) throw new Error(`Site D never heard the hook:\n${site.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(site.output()).toMatch(/site-d heard polls:entry-created #\d+ Tabs or spaces\?/);
    // Installed with the app's second migration, written by its author's makemigrations.
    expect(await query('d', 'select votes from polls_entry')).toEqual([{ votes: 0 }]);
    // The site's other app is there too.
    expect((await browser.get('/contact')).status).toBe(200);
    await stop(site);
  });
});

/** Replaces each `[from, to]` in a file of a site or package, failing when `from` is not there. */
function edit(dir: string, file: string, changes: [string, string][]): void {
  let text = readFileSync(join(dir, file), 'utf8');
  for (const [from, to] of changes) {
    if (!text.includes(from)) throw new Error(`${file} has no ${JSON.stringify(from)}:\n${text}`);
    text = text.replace(from, to);
  }
  writeFileSync(join(dir, file), text);
}

/**
 * Removes npx's cached installs of `pkg`: every run publishes the same versions to a new registry,
 * and npx would otherwise reuse a copy from an earlier run instead of what this run published.
 */
function forgetNpxCopies(pkg: string, env: NodeJS.ProcessEnv): void {
  const cache = execFileSync('npm', ['config', 'get', 'cache', '--no-workspaces'], {
    env,
    encoding: 'utf8',
  }).trim();
  const npx = join(cache, '_npx');
  for (const entry of existsSync(npx) ? readdirSync(npx) : []) {
    const manifest = join(npx, entry, 'package.json');
    if (!existsSync(manifest)) continue;
    const deps = (JSON.parse(readFileSync(manifest, 'utf8')) as { dependencies?: object })
      .dependencies;
    if (deps && pkg in deps) rmSync(join(npx, entry), { recursive: true, force: true });
  }
}
