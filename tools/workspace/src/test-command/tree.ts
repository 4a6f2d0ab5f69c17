// Whether a run changed the git working tree: tests write to temporary folders and ignored paths
// (.reports/, coverage/, .tessera/), never to files git tracks or would show as new.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every path git shows as changed or new, with its status and a hash of its contents. */
export type TreeState = Map<string, string>;

/** The tree's state now, or none outside a git checkout. */
export function treeState(root: string): TreeState | undefined {
  const git = spawnSync('git', ['status', '--porcelain=v1', '-z', '--untracked-files=all'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (git.status !== 0) return undefined;
  const state: TreeState = new Map();
  const entries = git.stdout.split('\0');
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    if (!entry) continue;
    const status = entry.slice(0, 2);
    const path = entry.slice(3);
    if (status.includes('R') || status.includes('C')) i++; // the next entry is the old name
    state.set(path, `${status} ${contentHash(join(root, path))}`);
  }
  return state;
}

function contentHash(file: string): string {
  if (!existsSync(file)) return 'absent';
  if (statSync(file).isDirectory()) return 'directory';
  return createHash('sha1').update(readFileSync(file)).digest('hex');
}

/** The paths whose state differs between two snapshots, as `git status` would name them. */
export function treeChanges(before: TreeState, after: TreeState): string[] {
  const paths = new Set([...before.keys(), ...after.keys()]);
  return [...paths]
    .filter((p) => before.get(p) !== after.get(p))
    .sort()
    .map((p) => `  ${label(after.get(p)).padEnd(8)}  ${p}`);
}

function label(state: string | undefined): string {
  if (!state) return 'reverted';
  const status = state.slice(0, 2);
  if (status === '??') return 'new';
  return status.includes('D') ? 'deleted' : 'modified';
}
