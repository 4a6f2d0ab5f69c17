// What the documents say about the environment is what the code does.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { EnvSchema } from '@tessera/core';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url).pathname;
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const ENV_EXAMPLE = read('.env.example');

/** Where `tessera serve` reads the process counts, each with its one default. */
const CODE = 'packages/core/src/cli-commands.ts';

/** Every place that may state how many processes of `name` run by default, and what each says. */
function processDefaults(name: string): { file: string; value: string }[] {
  const docs = readdirSync(join(root, 'docs', 'decisions')).map((f) => `docs/decisions/${f}`);
  const files = [
    'README.md',
    '.env.example',
    'apps/site/package.json',
    'apps/site/README.md',
    'packages/core/README.md',
    CODE,
    'deploy/README.md',
    ...docs,
  ].filter((f) => existsSync(join(root, f)));
  const claims = [
    new RegExp(`${name}[^\\n]*?\\(default:? (\\d+|[a-z ]+?)[):;,]`, 'g'), // prose: "NAME … (default 1"
    new RegExp(`${name}:-(\\w+)`, 'g'), // shell: ${NAME:-2}
    new RegExp(`${name}\\s*\\?\\?\\s*(\\w+)`, 'g'), // code: env.NAME ?? 1
    new RegExp(`\\(default:? (\\d+|[a-z ]+?)[):;,][^\\n]*\\n# ?${name}=`, 'g'), // a comment above the variable
  ];
  return files.flatMap((file) => {
    // .env.example states it on the comment line after the name.
    const text = read(file).replace(/\n# \(/g, ' (');
    return claims.flatMap((re) => [...text.matchAll(re)].map((m) => ({ file, value: m[1]! })));
  });
}

describe('the environment, as documented', () => {
  for (const name of ['WEB_CONCURRENCY', 'JOB_WORKERS'])
    it(`${name} has one default, the one \`tessera serve\` uses, and the documents repeat it`, () => {
      const found = processDefaults(name);
      const code = found.find((c) => c.file === CODE);
      expect(code, `tessera serve reads ${name} with a default`).toBeDefined();
      expect(found.filter((c) => c.value !== code!.value)).toEqual([]);
      for (const file of ['README.md', '.env.example', 'packages/core/README.md'])
        expect(
          found.map((c) => c.file),
          `${file} states the default`,
        ).toContain(file);
    });

  it('.env.example names every variable the site reads, and only those', () => {
    const named = [...ENV_EXAMPLE.matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]);
    const read = Object.keys(EnvSchema.properties).filter((k) => k !== 'NODE_ENV');
    expect([...new Set(named)].sort()).toEqual(read.sort());
  });

  it('.env.example says sessions live in PostgreSQL, not in Redis', () => {
    const redis = ENV_EXAMPLE.split('\n\n').find((block) => block.includes('REDIS_URL='))!;
    expect(redis).not.toMatch(/sessions (when|in Redis)|Redis for[^.]*sessions/i);
    expect(ENV_EXAMPLE).toMatch(/PostgreSQL: the site's data and its sessions/);
  });
});
