// The one template of a Tessera app package, in the shape of our own apps (STYLE.md): defineApp
// with fromPackageJson, an entity and its migration, a form, named routes, templates, a hook,
// errors, a README and tests through @tessera/testing. `nx g @tessera/tools:app` writes it into
// this workspace (`workspace`); `npm create @tessera/app` writes it as a package of its own
// (`standalone`), with its own TypeScript, vitest, changesets and release settings.

/** Where the app lives: a package of this workspace, or a repository of its own. */
export type AppMode = 'workspace' | 'standalone';

/** What the template needs to know. */
export interface AppTemplateOptions {
  /** The app's name (`polls`): its namespace for routes, templates, hooks and tables. */
  name: string;
  mode: AppMode;
  /** The npm scope of its package (default `@tessera`): `@acme` publishes `@acme/polls`. */
  scope?: string;
  /** One sentence: what the app does. */
  description?: string;
  /**
   * The versions a standalone app installs (`@tessera/core`, `@tessera/testing`, …), by package;
   * missing ones take `STANDALONE_VERSIONS`' defaults. The workspace uses its own packages.
   */
  versions?: Record<string, string>;
  /**
   * npm 11's `allowScripts` of a standalone app (create-app passes create-site's: the `node`
   * package that brings Node 24, the embedded PostgreSQL's platform packages).
   */
  allowScripts?: Record<string, boolean>;
}

/** The app name's rule: lower-case letters, digits and dashes, starting with a letter. */
export const APP_NAME = /^[a-z][a-z0-9-]*$/;

/** What a standalone app installs besides @tessera/*: the versions this workspace runs. */
export const STANDALONE_VERSIONS: Record<string, string> = {
  '@tessera/core': '^0.1.0',
  '@tessera/testing': '^0.1.0',
  '@changesets/cli': '^3.0.3',
  '@types/node': '^24.19.2',
  '@vitest/coverage-v8': '5.1.1',
  fastify: '^5.12.0',
  node: '^24',
  typebox: '^1.4.3',
  typescript: '~6.0.3',
  vitest: '5.1.1',
};

const camel = (name: string) => name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const pascal = (name: string) => camel(name).replace(/^./, (c) => c.toUpperCase());
const snake = (name: string) => name.replace(/-/g, '_');

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** The changeset that announces the app's first release. */
export function initialChangeset(name: string, scope = '@tessera'): string {
  return `---\n'${scope}/${name}': minor\n---\n\nFirst release of ${scope}/${name}.\n`;
}

/** Every file of the app, by path inside its package. */
export function appFiles(opts: AppTemplateOptions): Record<string, string> {
  const { name, mode } = opts;
  if (!APP_NAME.test(name))
    throw new Error(`'${name}' is not an app name: use lower-case letters, digits and dashes.`);
  const scope = opts.scope ?? '@tessera';
  if (!/^@[a-z0-9][a-z0-9._-]*$/.test(scope))
    throw new Error(`'${scope}' is not an npm scope: write it as @acme.`);
  const pkg = `${scope}/${name}`;
  const description = opts.description ?? 'A Tessera app.';
  const versions = { ...STANDALONE_VERSIONS, ...opts.versions };
  const f = camel(name);
  const P = pascal(name);
  const table = `${snake(name)}_entry`;
  const code = `TESSERA_${snake(name).toUpperCase()}`;
  const standalone = mode === 'standalone';
  const v = (dep: string) => versions[dep]!;

  const packageJson = {
    name: pkg,
    version: '0.1.0',
    description,
    type: 'module',
    license: 'MIT',
    exports: {
      '.': { source: './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' },
      './package.json': './package.json',
    },
    files: ['dist', 'templates', '!**/*.test.*', '!**/.env*', 'README.md', 'CHANGELOG.md'],
    engines: { node: '>=22.17' },
    publishConfig: { access: 'public' },
    scripts: standalone
      ? {
          build: 'rm -rf dist && tsc -p tsconfig.build.json',
          typecheck: 'tsc -p tsconfig.json --noEmit',
          test: 'vitest run',
          makemigrations: 'node scripts/makemigrations.ts',
          changeset: 'changeset',
          release: 'changeset version && npm run build && changeset publish',
        }
      : {
          build: 'tsc -p tsconfig.build.json',
          typecheck: 'tsc -p tsconfig.json --noEmit',
          lint: 'eslint . && prettier --check --ignore-path ../../.gitignore --ignore-path ../../.prettierignore .',
          test: 'vitest run',
        },
    dependencies: { typebox: v('typebox') },
    peerDependencies: { '@tessera/core': v('@tessera/core'), fastify: v('fastify') },
    devDependencies: standalone
      ? Object.fromEntries(
          [
            '@changesets/cli',
            '@tessera/core',
            '@tessera/testing',
            '@types/node',
            '@vitest/coverage-v8',
            'fastify',
            'node',
            'typescript',
            'vitest',
          ].map((d) => [d, v(d)]),
        )
      : { '@tessera/core': '*', '@tessera/testing': '*', vitest: '5.1.1' },
    tessera: { factory: f, mount: `/${name}`, dependsOn: [] },
    ...(standalone
      ? { ...(opts.allowScripts ? { allowScripts: opts.allowScripts } : {}) }
      : { nx: { tags: ['scope:app'] } }),
  };

  const compilerOptions = {
    target: 'ES2023',
    lib: ['ES2023'],
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noImplicitOverride: true,
    verbatimModuleSyntax: true,
    erasableSyntaxOnly: true,
    allowImportingTsExtensions: true,
    rewriteRelativeImportExtensions: true,
    isolatedModules: true,
    skipLibCheck: true,
    declaration: true,
    sourceMap: true,
    types: ['node'],
  };
  const files: Record<string, string> = {
    'package.json': json(packageJson),
    'tsconfig.json': json(
      standalone
        ? {
            compilerOptions: { ...compilerOptions, noEmit: true },
            include: ['src/**/*.ts', 'test/**/*.ts', 'scripts/**/*.ts', 'vitest.config.ts'],
          }
        : {
            extends: '../../tsconfig.base.json',
            compilerOptions: { noEmit: true },
            include: ['src/**/*.ts', 'test/**/*.ts', 'vitest.config.ts'],
          },
    ),
    'tsconfig.build.json': json({
      ...(standalone ? {} : { extends: '../../tsconfig.base.json' }),
      compilerOptions: {
        ...(standalone ? compilerOptions : {}),
        rootDir: 'src',
        outDir: 'dist',
        customConditions: [],
        noEmit: false,
      },
      include: ['src/**/*.ts'],
      exclude: ['src/**/*.test.ts'],
    }),
    'vitest.config.ts': standalone
      ? `// Tests run the TypeScript sources on a real PostgreSQL: the test kit's global setup uses
// DATABASE_URL (or TESSERA_TEST_DATABASE_URL) when set, the local server when one answers on
// 127.0.0.1:5432, else an embedded PostgreSQL it starts for the run.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['@tessera/testing/global-setup'],
    pool: 'forks',
    hookTimeout: 120_000,
    coverage: {
      enabled: true,
      provider: 'v8',
      include: ['src/**/*.ts'],
      exclude: ['src/migrations/**'],
      reporter: ['text-summary'],
      thresholds: { lines: 90 },
    },
  },
});
`
      : `import { tesseraVitest } from '../../vitest.preset.ts';\n\nexport default tesseraVitest(import.meta.dirname, { lines: 90 });\n`,
    'README.md': readme(),
    'src/index.ts': `/** ${pkg} — ${description} */
import './augment.ts';

export { ${f} } from './app.ts';
export { ${P}Options, DEFAULT_TITLE } from './options.ts';
export { EntryForm } from './forms.ts';
export { Entry, EntrySchema, type EntryResult } from './entry.entity.ts';
export type { EntryCreatedPayload } from './augment.ts';
export * from './errors.ts';
`,
    'src/app.ts': `import { defineApp, fromPackageJson } from '@tessera/core';
import { Entry } from './entry.entity.ts';
import { migrations } from './migrations/index.ts';
import { ${P}Options } from './options.ts';
import { ${f}Routes } from './routes.ts';

/** ${description} */
export const ${f} = defineApp({
  name: '${name}',
  // Its version and what it requires (@tessera/core's range) come from package.json.
  ...fromPackageJson(new URL('../package.json', import.meta.url)),
  entities: [Entry],
  migrations,
  migrationsDir: new URL('./migrations/', import.meta.url),
  templates: new URL('../templates/', import.meta.url),
  options: ${P}Options,
  hooks: ['${name}:entry-created'],
  routes: ${f}Routes,
});
`,
    'src/options.ts': `import type { FastifyRequest } from 'fastify';
import { override } from '@tessera/core';
import { Type, type Static } from 'typebox';
import type { EntryResult } from './entry.entity.ts';
import { EntryForm } from './forms.ts';

/** The heading of the index page unless the site says otherwise. */
export const DEFAULT_TITLE = '${name}';
/** The index page: the entries and the form. */
export const DEFAULT_TEMPLATE = '${name}/index.njk';
/** One entry's page. */
export const DEFAULT_ENTRY_TEMPLATE = '${name}/entry.njk';
/** Where a new entry sends its author: its own page (a function: the route needs its id). */
export function DEFAULT_SUCCESS_REDIRECT(request: FastifyRequest, entry: EntryResult): string {
  return request.server.tessera.url('${name}:entry', { id: entry.id });
}

/** What a site may set when it installs the app; every field has a default. */
export const ${P}Options = Type.Object({
  title: Type.String({ minLength: 1, default: DEFAULT_TITLE }),
  form: override.form(EntryForm),
  template: override.template(DEFAULT_TEMPLATE),
  entryTemplate: override.template(DEFAULT_ENTRY_TEMPLATE),
  successRedirect: override.redirect<EntryResult>(DEFAULT_SUCCESS_REDIRECT),
});

/** The resolved options, as routes receive them. */
export type ${P}Options = Static<typeof ${P}Options>;
`,
    'src/errors.ts': `import { createError } from '@tessera/core';

/** No entry has the id in the address. */
export const EntryNotFound = createError('${code}_ENTRY_NOT_FOUND', 'No entry %s.', 404);
`,
    'src/forms.ts': `import { defineForm, fields } from '@tessera/core';

/** The longest entry the default form takes (the column holds as much). */
export const ENTRY_MAX_LENGTH = 200;

/** The default form: one text. A site extends it (\`EntryForm.extend({ fields: { … } })\`). */
export const EntryForm = defineForm({
  name: '${name}-entry',
  fields: {
    text: fields.text({ label: 'Text', maxLength: ENTRY_MAX_LENGTH }),
  },
});
`,
    'src/entry.entity.ts': `import { defineEntity, p } from '@tessera/core';
import { ENTRY_MAX_LENGTH } from './forms.ts';

/** One entry; the table is prefixed with the app's name, like every app's. */
export const EntrySchema = defineEntity({
  name: '${P}Entry',
  tableName: '${table}',
  properties: {
    id: p.integer().primary(),
    text: p.string().length(ENTRY_MAX_LENGTH),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

/** A stored entry. */
export class Entry extends EntrySchema.class {}
EntrySchema.setClass(Entry);

/** What the form's action answers, and what a \`successRedirect\` function receives. */
export interface EntryResult {
  id: number;
  text: string;
}
`,
    'src/entries.ts': `import type { FastifyRequest } from 'fastify';
import { kysely, transaction, type TablesOf } from '@tessera/core';
import { Entry, type EntryResult, type EntrySchema } from './entry.entity.ts';
import { EntryNotFound } from './errors.ts';

/**
 * The app's table as pages read it: plain rows through Kysely (\`kysely<Tables>(request.em)\`),
 * typed from the entity, so a renamed column fails \`tsc\`. Entities are for writes: hydrating
 * them for a page costs several times the database's work.
 */
type Tables = TablesOf<typeof EntrySchema>;

/** Stores an entry in one transaction, then tells \`${name}:entry-created\` listeners. */
export async function createEntry(request: FastifyRequest, text: string): Promise<EntryResult> {
  const entry = await transaction(request.em, async (tx) => {
    const created = tx.create(Entry, { text });
    await tx.flush();
    return { id: created.id, text: created.text };
  });
  await request.server.tessera.hooks.run('${name}:entry-created', { entry });
  return entry;
}

/** The newest entries, as plain rows for a page. */
export function latestEntries(request: FastifyRequest, limit = 50): Promise<EntryResult[]> {
  return kysely<Tables>(request.em)
    .selectFrom('${table}')
    .select(['id', 'text'])
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** The entry with \`id\` as a plain row, or the app's 404. */
export async function getEntry(request: FastifyRequest, id: number): Promise<EntryResult> {
  const entry = await kysely<Tables>(request.em)
    .selectFrom('${table}')
    .select(['id', 'text'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!entry) throw new EntryNotFound(String(id));
  return entry;
}
`,
    'src/routes.ts': `import type { FastifyInstance } from 'fastify';
import { choose, formView, type AppContext } from '@tessera/core';
import { createEntry, getEntry, latestEntries } from './entries.ts';
import type { ${P}Options } from './options.ts';

/** The app's routes, mounted under the site's prefix for it: the index (GET, POST) and an entry. */
export function ${f}Routes(fastify: FastifyInstance, { options }: AppContext<${P}Options>): void {
  const index = formView({
    form: options.form,
    template: options.template,
    context: async (request) => ({
      title: options.title,
      entries: await latestEntries(request),
    }),
    action: (request, data) => createEntry(request, String(data.text)),
    successRedirect: options.successRedirect,
  });
  fastify.get('/', { config: { name: 'index' } }, index.get);
  fastify.post('/', { config: { name: 'index' } }, index.post);

  fastify.get<{ Params: { id: string } }>(
    '/:id',
    { config: { name: 'entry' }, schema: { params: { type: 'object', properties: { id: { type: 'string', pattern: '^[0-9]{1,9}$' } } } } },
    async function entryPage(request, reply) {
      const entry = await getEntry(request, Number(request.params.id));
      return reply.render(choose(options.entryTemplate, request), { title: options.title, entry });
    },
  );
}
`,
    'src/augment.ts': `import type { EntryResult } from './entry.entity.ts';

/** What \`${name}:entry-created\` listeners receive. */
export interface EntryCreatedPayload {
  entry: EntryResult;
}

declare module '@tessera/core' {
  interface HookPayloads {
    /** After an entry is stored (its transaction committed). */
    '${name}:entry-created': EntryCreatedPayload;
  }
  interface RouteParams {
    /** GET lists the entries and shows the form, POST adds one. */
    '${name}:index': Record<string, never>;
    /** One entry's page. */
    '${name}:entry': { id: number | string };
  }
}
`,
    'src/migrations/index.ts': `// This app's migrations, in order (\`${standalone ? 'npm run makemigrations' : `npm run makemigrations -- ${name}`}\` adds the next one).
import type { MigrationObject } from '@tessera/core';
import { Migration0001 } from './0001_initial.ts';

export const migrations: MigrationObject[] = [{ name: '0001_initial', class: Migration0001 }];
`,
    'src/migrations/0001_initial.ts': `import { Migration } from '@tessera/core';

export class Migration0001 extends Migration {
  override up(): void {
    this.addSql(
      'create table "${table}" ("id" serial primary key, "text" varchar(200) not null, "created_at" timestamptz not null);',
    );
  }

  override down(): void {
    this.addSql('drop table if exists "${table}" cascade;');
  }
}
`,
    [`templates/${name}/index.njk`]: `{% extends "base.njk" %}
{% import "core/forms.njk" as forms %}
{% block title %}{{ title }} · {{ site_name }}{% endblock %}
{% block content %}
<h1>{{ title }}</h1>
<ul class="${name}-entries">
  {% for entry in entries %}<li><a href="{{ url('${name}:entry', { id: entry.id }) }}">{{ entry.text }}</a></li>{% else %}<li>Nothing yet.</li>{% endfor %}
</ul>
<form method="post" action="{{ url('${name}:index') }}">
  {{ forms.csrf(csrf_token()) }}
  {{ forms.fields(form) }}
  <div class="form-actions"><button type="submit">Add</button></div>
</form>
{% endblock %}
`,
    [`templates/${name}/entry.njk`]: `{% extends "base.njk" %}
{% block title %}{{ entry.text }} · {{ site_name }}{% endblock %}
{% block content %}
<h1 class="${name}-entry">{{ entry.text }}</h1>
<p><a href="{{ url('${name}:index') }}">{{ title }}</a></p>
{% endblock %}
`,
    'test/app.test.ts': `import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSite, expectCountChange, recordHook, testServerUrl, type TestSite } from '@tessera/testing';
import { schemaDrift } from '@tessera/core/internal';
import { Entry, ${f} } from '../src/index.ts';

describe('${name}', () => {
  let t: TestSite;
  beforeAll(async () => {
    t = await createTestSite({
      apps: [${f}({ title: 'Hello from ${name}' })],
      routes: { mounts: { '${name}': '/${name}' } },
    });
  });
  afterAll(() => t.close());

  it('shows its index page with the title the site set and the form', async () => {
    const res = await t.client().get(t.site.url('${name}:index'));
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<h1>Hello from ${name}</h1>');
    expect(res.body).toContain('name="text"');
  });

  it('stores an entry, tells entry-created listeners and sends the author to its page', async () => {
    const created = recordHook(t.site.hooks, '${name}:entry-created');
    const client = t.client();
    const res = await client.post(t.site.url('${name}:index'), { text: 'First' });
    expect(res.statusCode).toBe(303);
    const [entry] = created;
    expect(entry?.entry.text).toBe('First');
    expect(res.headers.location).toBe(t.site.url('${name}:entry', { id: entry!.entry.id }));
    const page = await client.get(res.headers.location as string);
    expect(page.body).toContain('First');
    expect((await client.get(t.site.url('${name}:index'))).body).toContain('First');
  });

  it('refuses an empty entry with the error next to the field, and stores nothing', async () => {
    await expectCountChange(t.em, Entry, 0, async () => {
      const res = await t.client().post(t.site.url('${name}:index'), { text: '' });
      expect(res.statusCode).toBe(422);
      expect(res.body).toContain('errorlist');
    });
  });

  it('answers 404 with its error code for an entry that does not exist', async () => {
    const res = await t.client().get(t.site.url('${name}:entry', { id: 999999 }), {
      headers: { accept: 'application/json' },
    });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: '${code}_ENTRY_NOT_FOUND' });
  });

  it('refuses a bad option at boot, naming the app and the field', async () => {
    await expect(createTestSite({ apps: [${f}({ title: '' })] })).rejects.toThrow(/'${name}'.*'title'/);
  });

  it("its migrations make exactly its entities' tables", async () => {
    expect((await schemaDrift(testServerUrl(), [${f}.spec])).up).toBe('');
  });
});
`,
  };
  if (standalone) {
    Object.assign(files, {
      '.gitignore': 'node_modules/\ndist/\ncoverage/\n.tessera/\n.env\n',
      '.changeset/config.json': json({
        changelog: '@changesets/cli/changelog',
        commit: false,
        fixed: [],
        linked: [],
        access: 'public',
        baseBranch: 'main',
        updateInternalDependencies: 'patch',
      }),
      '.changeset/README.md':
        'Each change a user should know of gets a changeset: `npx changeset` asks which bump (patch, minor, major) and what to say. `npm run release` applies them.\n',
      [`.changeset/${name}-initial.md`]: initialChangeset(name, scope),
      'scripts/makemigrations.ts': `// \`npm run makemigrations -- [label]\`: writes this app's next migration from its entities.
// Core's and this app's migrations are applied to a scratch database and the entities diffed
// against it (what the workspace's \`npm run makemigrations\` does for our apps). The server:
// DATABASE_URL's, else PostgreSQL on 127.0.0.1:5432, else an embedded one for this run.
import { coreApp, makeMigration, scratchServer } from '@tessera/core/internal';
import { ${f} } from '../src/index.ts';

const server = await scratchServer(process.env.DATABASE_URL);
try {
  // An app that depends on others lists their specs here too, before its own.
  const made = await makeMigration(server.serverUrl, [coreApp, ${f}.spec], ${f}.spec, process.argv[2]);
  console.log(made ? \`wrote \${made.file}\` : 'No changes: the migrations match the entities.');
} finally {
  await server.stop();
}
`,
    });
  }
  return files;

  function readme(): string {
    return `# ${pkg}

${description}

## Install

\`\`\`sh
npm install ${pkg}
\`\`\`

\`\`\`ts
import { ${f} } from '${pkg}';

apps: [${f}({ title: 'Polls' })]       // in the site's settings
mounts: { '${name}': '/${name}' }       // in the site's routes
\`\`\`

A site made with \`npm create @tessera/site\` installs it with \`--apps ${pkg}\`: the \`tessera\`
field of package.json says which factory to call and where to mount it.

## Options

| option            | default                    | what it does                                                     |
| ----------------- | -------------------------- | ---------------------------------------------------------------- |
| \`title\`           | \`'${name}'\`                 | the heading of the index page                                    |
| \`form\`            | \`EntryForm\`                | the form (a site extends it: \`EntryForm.extend({ fields })\`)     |
| \`template\`        | \`'${name}/index.njk'\`       | the index page: a template name, or a function of the request    |
| \`entryTemplate\`   | \`'${name}/entry.njk'\`       | an entry's page                                                  |
| \`successRedirect\` | the new entry's page       | where a new entry goes: a route name, a path, or a function      |

## Routes

| name            | path   | what                                         |
| --------------- | ------ | -------------------------------------------- |
| \`${name}:index\` | \`/\`    | GET lists the entries and the form, POST adds one |
| \`${name}:entry\` | \`/:id\` | one entry (404 \`${code}_ENTRY_NOT_FOUND\`)     |

## Templates

- \`${name}/index.njk\` — \`title\`, \`entries\` (\`{ id, text }\`), \`form\`
- \`${name}/entry.njk\` — \`title\`, \`entry\`

## Hooks

- \`${name}:entry-created\` — \`{ entry: { id, text } }\`, after the entry's transaction committed.

## Override example

\`\`\`ts
// the site's settings: listen to the hook
listeners(hooks) {
  hooks.on('${name}:entry-created', function announce({ entry }) {
    console.log('new entry', entry.id);
  });
},
\`\`\`

and put \`templates/${name}/entry.njk\` in the site's templates folder: it wins over the app's own.
${
  standalone
    ? `
## Develop, test, release

\`\`\`sh
npm test              # vitest on a real PostgreSQL (DATABASE_URL, else 127.0.0.1:5432, else an embedded one)
npm run makemigrations -- add_votes   # after changing an entity: its next migration, from the diff
npm run build         # dist/ (JavaScript and declarations), what the package ships
npx changeset         # describe a change (patch, minor, major)
npm run release       # changeset version, build, publish to the registry npm has for ${scope}
\`\`\`

Its scripts run on Node 24 whatever your shell's Node is: the \`node\` devDependency installs it
and npm puts it first on PATH. Publishing goes where npm is configured for the scope
(\`npm config set ${scope}:registry http://127.0.0.1:4873/\` and a token); \`changeset publish\`
tags the release, so commit first. Writing an app: see Tessera's \`docs/writing-an-app.md\`.
`
    : ''
}`;
  }
}
