// `npx nx g @tessera/tools:app <name>`: a new app package in packages/<name> with the standard shape
// (STYLE.md) — app, options, errors, routes, augment, a template, a README and a passing test.
const { formatFiles } = require('@nx/devkit');

const camel = (name) => name.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
const upper = (name) => name.replace(/-/g, '_').toUpperCase();

function files(name, description) {
  const f = camel(name);
  return {
    'package.json':
      JSON.stringify(
        {
          name: `@tessera/${name}`,
          version: '0.1.0',
          description,
          type: 'module',
          license: 'MIT',
          exports: {
            '.': {
              source: './src/index.ts',
              types: './dist/index.d.ts',
              default: './dist/index.js',
            },
            './package.json': './package.json',
          },
          files: ['dist', 'templates', '!dist/**/*.test.*', 'README.md', 'CHANGELOG.md'],
          engines: { node: '>=22.17' },
          publishConfig: { access: 'public' },
          scripts: {
            build: 'tsc -p tsconfig.build.json',
            typecheck: 'tsc -p tsconfig.json --noEmit',
            lint: 'eslint . && prettier --check --ignore-path ../../.gitignore --ignore-path ../../.prettierignore .',
            test: 'vitest run',
          },
          dependencies: { typebox: '^1.4.3' },
          peerDependencies: { '@tessera/core': '^0.1.0', fastify: '^5.12.0' },
          devDependencies: { '@tessera/core': '*', '@tessera/testing': '*' },
          tessera: { factory: f, mount: `/${name}`, dependsOn: [] },
          nx: { tags: ['scope:app'] },
        },
        null,
        2,
      ) + '\n',
    'tsconfig.json':
      JSON.stringify(
        {
          extends: '../../tsconfig.base.json',
          compilerOptions: { noEmit: true },
          include: ['src/**/*.ts', 'test/**/*.ts', 'vitest.config.ts'],
        },
        null,
        2,
      ) + '\n',
    'tsconfig.build.json':
      JSON.stringify(
        {
          extends: '../../tsconfig.base.json',
          compilerOptions: { rootDir: 'src', outDir: 'dist', customConditions: [], noEmit: false },
          include: ['src/**/*.ts'],
          exclude: ['src/**/*.test.ts'],
        },
        null,
        2,
      ) + '\n',
    'vitest.config.ts': `import { tesseraVitest } from '../../vitest.preset.ts';\n\nexport default tesseraVitest(import.meta.dirname, { lines: 90 });\n`,
    'README.md': `# @tessera/${name}\n\n${description}\n\n## Install\n\n\`\`\`sh\nnpm install @tessera/${name}\n\`\`\`\n\n\`\`\`ts\nimport { ${f} } from '@tessera/${name}';\n\napps: [${f}({ title: 'Hello' })]\n\`\`\`\n\n## Options\n\n| option | default | meaning |\n| --- | --- | --- |\n| \`title\` | \`'${name}'\` | the heading of the index page |\n\n## Routes\n\n| name | path |\n| --- | --- |\n| \`${name}:index\` | \`/\` |\n\n## Templates\n\n- \`${name}/index.njk\`\n\n## Hooks\n\nNone yet.\n\n## Override example\n\nPut \`templates/${name}/index.njk\` in your site's templates folder; it wins over the app's own.\n`,
    'src/index.ts': `/** @tessera/${name} — ${description} */\nimport './augment.ts';\n\nexport { ${f} } from './app.ts';\nexport { ${f}Options } from './options.ts';\nexport type { ${f[0].toUpperCase() + f.slice(1)}Options } from './options.ts';\nexport * from './errors.ts';\n`,
    'src/app.ts': `import { defineApp, fromPackageJson } from '@tessera/core';\nimport { ${f}Options } from './options.ts';\nimport { ${f}Routes } from './routes.ts';\n\n/** ${description} */\nexport const ${f} = defineApp({\n  name: '${name}',\n  ...fromPackageJson(new URL('../package.json', import.meta.url)),\n  templates: new URL('../templates/', import.meta.url),\n  options: ${f}Options,\n  routes: ${f}Routes,\n});\n`,
    'src/options.ts': `import { Type, type Static } from 'typebox';\n\n/** The heading of the index page unless the site says otherwise. */\nexport const DEFAULT_TITLE = '${name}';\n\n/** What a site may set when it installs the app. */\nexport const ${f}Options = Type.Object({\n  title: Type.String({ minLength: 1, default: DEFAULT_TITLE }),\n});\n\n/** The resolved options. */\nexport type ${f[0].toUpperCase() + f.slice(1)}Options = Static<typeof ${f}Options>;\n`,
    'src/errors.ts': `import { createError } from '@tessera/core';\n\n/** Nothing exists at the address asked for. */\nexport const NotFoundError = createError('TESSERA_${upper(name)}_NOT_FOUND', 'Not found.', 404);\n`,
    'src/routes.ts': `import type { FastifyInstance } from 'fastify';\nimport type { AppContext } from '@tessera/core';\nimport type { ${f[0].toUpperCase() + f.slice(1)}Options } from './options.ts';\n\n/** Registers the app's routes (mounted under the site's prefix for it). */\nexport function ${f}Routes(fastify: FastifyInstance, ctx: AppContext<${f[0].toUpperCase() + f.slice(1)}Options>): void {\n  fastify.get('/', { config: { name: 'index' } }, async function index(_request, reply) {\n    return reply.render('${name}/index.njk', { title: ctx.options.title });\n  });\n}\n`,
    'src/augment.ts': `declare module '@tessera/core' {\n  interface RouteParams {\n    '${name}:index': Record<string, never>;\n  }\n}\n\nexport {};\n`,
    [`templates/${name}/index.njk`]: `{% extends "base.njk" %}\n{% block title %}{{ title }} · {{ site_name }}{% endblock %}\n{% block content %}\n<h1>{{ title }}</h1>\n{% endblock %}\n`,
    'test/app.test.ts': `import { afterAll, beforeAll, describe, expect, it } from 'vitest';\nimport { createTestSite, type TestSite } from '@tessera/testing';\nimport { ${f} } from '../src/index.ts';\n\ndescribe('${name}', () => {\n  let t: TestSite;\n  beforeAll(async () => {\n    t = await createTestSite({ apps: [${f}({ title: 'Hello from ${name}' })], routes: { mounts: { '${name}': '/${name}' } } });\n  });\n  afterAll(() => t.close());\n\n  it('shows its index page with the title the site set', async () => {\n    const res = await t.client().get(t.site.url('${name}:index'));\n    expect(res.statusCode).toBe(200);\n    expect(res.body).toContain('<h1>Hello from ${name}</h1>');\n  });\n\n  it('refuses a bad option at boot, naming the app and the field', async () => {\n    await expect(createTestSite({ apps: [${f}({ title: '' })] })).rejects.toThrow(/'${name}'.*'title'/);\n  });\n});\n`,
  };
}

module.exports = async function appGenerator(tree, options) {
  const name = options.name;
  if (!/^[a-z][a-z0-9-]*$/.test(name))
    throw new Error(`'${name}' is not an app name: use lower-case letters, digits and dashes.`);
  const root = `packages/${name}`;
  if (tree.exists(root)) throw new Error(`${root} already exists.`);
  for (const [path, text] of Object.entries(files(name, options.description ?? 'A Tessera app.')))
    tree.write(`${root}/${path}`, text);
  tree.write(
    `.changeset/${name}-initial.md`,
    `---\n'@tessera/${name}': minor\n---\n\nFirst release of @tessera/${name}.\n`,
  );
  await formatFiles(tree);
  return () => console.log(`Created ${root}. Run npm install, then: npx nx test @tessera/${name}`);
};
module.exports.files = files;
