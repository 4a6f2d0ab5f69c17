import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh folder under the OS temp dir. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `tessera-${prefix}-`));
}

/** Writes `files` (path → text, or an object written as JSON) under `dir`. */
export function writeTree(dir: string, files: Record<string, string | object>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(
      join(dir, path),
      typeof content === 'string' ? content : JSON.stringify(content, null, 2) + '\n',
    );
  }
}

/** A small package that can be published. */
export function probePackage(name: string, version: string, extra: object = {}): object {
  return { name, version, type: 'module', main: 'index.js', ...extra };
}

/** Runs npm; answers its status and output instead of throwing. */
export function npm(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): { status: number | null; out: string } {
  const r = spawnSync('npm', args, { cwd, env, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** `npm view <spec> <field> --json` against `userconfig`: the parsed answer. */
export function npmView(spec: string, field: string, userconfig: string, cwd: string): unknown {
  const raw = execFileSync('npm', ['view', spec, field, '--json', '--userconfig', userconfig], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(raw);
}

/** Git with an identity, for the tags changesets writes. */
export function git(args: string[], cwd: string): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...GIT_IDENTITY },
  });
}

/** Who commits and tags in the test workspaces. */
export const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'Tessera Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Tessera Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};
