import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@tessera/core/internal';
import {
  pendingChangesets,
  runRelease,
  scopeRegistry,
  startRegistry,
  workspacePackages,
  writeNpmrc,
  type Registry,
} from '../src/index.ts';
import { GIT_IDENTITY, git, npmView, probePackage, tempDir, writeTree } from './helpers.ts';

const CHANGESET_CONFIG = readFileSync(
  new URL('../../../.changeset/config.json', import.meta.url),
  'utf8',
);

/** A workspace shaped like Tessera's: a kernel, an app with a peer range on it, a private site. */
function probeWorkspace(root: string): void {
  writeTree(root, {
    'package.json': { name: 'probe-workspace', private: true, workspaces: ['packages/*'] },
    'package-lock.json': { name: 'probe-workspace', lockfileVersion: 3, requires: true },
    '.changeset/config.json': CHANGESET_CONFIG,
    '.changeset/README.md': '# Changesets\n',
    '.changeset/kernel-feature.md':
      "---\n'@tessera/probe-kernel': minor\n---\n\nThe kernel learns a new trick.\n",
    'packages/kernel/package.json': probePackage('@tessera/probe-kernel', '0.1.0'),
    'packages/kernel/index.js': 'export const kernel = 1;\n',
    'packages/app/package.json': probePackage('@tessera/probe-app', '0.3.0', {
      peerDependencies: { '@tessera/probe-kernel': '^0.1.0' },
      devDependencies: { '@tessera/probe-kernel': '*' },
    }),
    'packages/app/index.js': 'export const app = 1;\n',
    'packages/site/package.json': probePackage('@tessera/probe-site', '0.1.0', {
      private: true,
      dependencies: { '@tessera/probe-app': '^0.3.0' },
    }),
  });
  git(['init', '-q', '-b', 'main'], root);
  git(['add', '-A'], root);
  git(['commit', '-qm', 'probe workspace'], root);
}

/** An environment where npm knows no registry for @tessera/* (whatever the developer's config says). */
function environmentWithoutScope(dir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...GIT_IDENTITY };
  for (const key of Object.keys(env)) if (/tessera/i.test(key)) delete env[key];
  writeTree(dir, { 'user.npmrc': '', 'global.npmrc': '' });
  env.NPM_CONFIG_USERCONFIG = join(dir, 'user.npmrc');
  env.NPM_CONFIG_GLOBALCONFIG = join(dir, 'global.npmrc');
  return env;
}

describe('npm run release', () => {
  let root: string;
  let port: number;
  const out: string[] = [];
  const errors: string[] = [];
  let registry: Registry | undefined;
  beforeAll(async () => {
    root = tempDir('release');
    probeWorkspace(root);
    port = await freePort();
  });
  afterAll(async () => {
    await registry?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('lists the workspace packages and the changesets waiting', () => {
    expect(workspacePackages(root).map((p) => p.json.name)).toEqual([
      '@tessera/probe-app',
      '@tessera/probe-kernel',
      '@tessera/probe-site',
    ]);
    expect(pendingChangesets(root)).toEqual(['.changeset/kernel-feature.md']);
  });

  it('refuses to publish when npm has no registry for @tessera/*', async () => {
    const env = environmentWithoutScope(root);
    expect(scopeRegistry(root, env)).toBeUndefined();
    const code = await runRelease([], {
      root,
      env,
      build: false,
      stdio: 'pipe',
      err: (l) => void errors.push(l),
    });
    expect(code).toBe(1);
    expect(errors.at(-1)).toMatch(/Nowhere to publish/);
    expect(pendingChangesets(root)).toHaveLength(1);
  });

  it('release:local versions each package on its own, writes changelogs, moves internal ranges and publishes', async () => {
    const code = await runRelease(['--local'], {
      root,
      port,
      build: false,
      stdio: 'pipe',
      env: { ...process.env, ...GIT_IDENTITY },
      out: (l) => void out.push(l),
      err: (l) => void errors.push(l),
    });
    expect(errors).toEqual([expect.stringMatching(/Nowhere to publish/)]);
    expect(code).toBe(0);
    expect(out.at(-1)).toBe(`Released to http://127.0.0.1:${port}`);

    const read = (dir: string) =>
      JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
    // The kernel takes its minor bump; the app's peer range no longer holds, so the app follows
    // with a patch release and the new range; the private site is never versioned.
    expect(read('kernel').version).toBe('0.2.0');
    expect(read('app').version).toBe('0.3.1');
    expect(read('app').peerDependencies).toEqual({ '@tessera/probe-kernel': '^0.2.0' });
    expect(read('app').devDependencies).toEqual({ '@tessera/probe-kernel': '*' });
    expect(read('site').version).toBe('0.1.0');
    expect(readFileSync(join(root, 'packages/kernel/CHANGELOG.md'), 'utf8')).toMatch(
      /## 0\.2\.0\n\n### Minor Changes\n\n- [0-9a-f]+: The kernel learns a new trick\./,
    );
    expect(readFileSync(join(root, 'packages/app/CHANGELOG.md'), 'utf8')).toContain(
      '@tessera/probe-kernel@0.2.0',
    );
    expect(existsSync(join(root, 'packages/site/CHANGELOG.md'))).toBe(false);
    expect(pendingChangesets(root)).toEqual([]);
    expect(git(['tag'], root).split('\n')).toEqual(
      expect.arrayContaining(['@tessera/probe-kernel@0.2.0', '@tessera/probe-app@0.3.1']),
    );

    // The registry it started is stopped again; its storage keeps what was published.
    registry = await startRegistry({ dir: join(root, '.tessera/registry'), port, quiet: true });
    const reader = writeNpmrc(join(root, 'reader.npmrc'), registry.url, await registry.token());
    expect(npmView('@tessera/probe-kernel', 'versions', reader, root)).toEqual(['0.2.0']);
    expect(npmView('@tessera/probe-app', 'version', reader, root)).toBe('0.3.1');
    expect((await fetch(`${registry.url}/@tessera%2fprobe-site`)).status).toBe(404);
  });

  it('with nothing new to version, publishes only what the registry lacks', async () => {
    out.length = 0;
    const code = await runRelease(['--local'], {
      root,
      port,
      build: false,
      stdio: 'pipe',
      env: { ...process.env, ...GIT_IDENTITY },
      out: (l) => void out.push(l),
    });
    expect(code).toBe(0);
    const reader = join(root, 'reader.npmrc');
    expect(npmView('@tessera/probe-kernel', 'versions', reader, root)).toEqual(['0.2.0']);
  });

  it('says so when the folder holds no changesets configuration', async () => {
    const bare = tempDir('bare');
    const code = await runRelease([], { root: bare, err: (l) => void errors.push(l) });
    expect(code).toBe(1);
    expect(errors.at(-1)).toMatch(/No \.changeset\/ folder/);
    rmSync(bare, { recursive: true, force: true });
  });
});
