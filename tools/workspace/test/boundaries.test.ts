import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url).pathname;

async function lint(code: string, filePath: string) {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: join(root, filePath) });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('module boundaries', () => {
  it("an app importing another package's internal file fails lint", async () => {
    const messages = await lint(
      "import { Hooks } from '@tessera/core/src/hooks.ts';\nexport { Hooks };\n",
      'packages/auth/src/x.ts',
    );
    expect(messages.join('\n')).toMatch(/public entry point/);
  });

  it('an app importing another package through its public entry point passes lint', async () => {
    const messages = await lint(
      "import { veto } from '@tessera/core';\nexport { veto };\n",
      'packages/auth/src/x.ts',
    );
    expect(messages).toEqual([]);
  });

  it('the project graph points from the site to packages and nothing points at the site', () => {
    const file = join(tmpdir(), `tessera-graph-${process.pid}.json`);
    execFileSync('npx', ['nx', 'graph', `--file=${file}`], { cwd: root, stdio: 'ignore' });
    const graph = JSON.parse(readFileSync(file, 'utf8')).graph as {
      dependencies: Record<string, { target: string }[]>;
    };
    rmSync(file, { force: true });
    const edges = Object.entries(graph.dependencies).flatMap(([from, deps]) =>
      deps.map((d) => [from, d.target]),
    );
    expect(edges.filter(([, to]) => to === '@tessera/site')).toEqual([]);
    expect(edges).toContainEqual(['@tessera/site', '@tessera/core']);
    expect(
      edges.filter(([from, to]) => from === '@tessera/core' && to !== '@tessera/core'),
    ).toEqual([]);
  });
});
