// The release steps: changesets version → build every package → changesets publish, to the
// registry npm is configured with for @tessera/* (never the default one by accident), or to the
// local Verdaccio (started when it is not running) with a publish token made on the fly.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, globSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  DEFAULT_PORT,
  createToken,
  isRunning,
  startRegistry,
  upstreamRegistry,
  writeNpmrc,
  type Registry,
} from './registry.ts';

const require = createRequire(import.meta.url);
const CHANGESET = require.resolve('@changesets/cli/bin.js');
const NX = require.resolve('nx/bin/nx.js');

/** How to release a workspace. */
export interface ReleaseOptions {
  /** The workspace root (with `.changeset/` and a `workspaces` package.json). */
  cwd: string;
  /** The environment of npm and changesets: where @tessera/* is published, with which token. */
  env?: NodeJS.ProcessEnv;
  /** Clean and build every package before publishing (default true). */
  build?: boolean;
  /** `pipe` keeps the tools' output out of the console (tests); default `inherit`. */
  stdio?: 'inherit' | 'pipe';
}

/** A workspace package: its folder and package.json. */
export interface WorkspacePackage {
  dir: string;
  json: { name: string; version: string; private?: boolean } & Record<string, unknown>;
}

/** The packages of the workspace at `cwd`, as its package.json `workspaces` globs list them. */
export function workspacePackages(cwd: string): WorkspacePackage[] {
  const root = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as {
    workspaces?: string[];
  };
  return (root.workspaces ?? [])
    .flatMap((pattern) => globSync(`${pattern}/package.json`, { cwd }))
    .sort()
    .map((file) => ({
      dir: join(cwd, file, '..'),
      json: JSON.parse(readFileSync(join(cwd, file), 'utf8')) as WorkspacePackage['json'],
    }));
}

/** The changeset files waiting in `<cwd>/.changeset/`. */
export function pendingChangesets(cwd: string): string[] {
  return globSync('.changeset/*.md', { cwd }).filter((f) => !f.endsWith('README.md'));
}

/** Where npm publishes @tessera/* from `cwd` with `env`; undefined when nothing says. */
export function scopeRegistry(
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const value = execFileSync('npm', ['config', 'get', '@tessera:registry', '--no-workspaces'], {
    cwd,
    env,
    encoding: 'utf8',
  }).trim();
  return value && value !== 'undefined' && value !== 'null' ? value : undefined;
}

function run(cmd: string, args: string[], opts: ReleaseOptions): string {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: opts.stdio === 'pipe' ? 'pipe' : 'inherit',
    encoding: 'utf8',
  });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.status !== 0)
    throw new Error(
      `${[cmd, ...args].join(' ')} failed (${r.status ?? r.signal ?? r.error?.message})${output ? `:\n${output}` : ''}`,
    );
  return output;
}

/**
 * Releases the workspace at `cwd`: applies the pending changesets, if any (versions, changelogs,
 * internal ranges), builds, and publishes every public package whose version the registry lacks. Refuses
 * when npm has no registry for @tessera/*, so a private project never lands on a public registry.
 * Answers the tools' output when `stdio` is `pipe`.
 */
export function release(opts: ReleaseOptions): string {
  const target = scopeRegistry(opts.cwd, opts.env);
  if (!target)
    throw new Error(
      'Nowhere to publish: npm has no registry for @tessera/*. Set one (npm config set @tessera:registry <url>, with a token for it) or run npm run release:local.',
    );
  let output = pendingChangesets(opts.cwd).length
    ? run(process.execPath, [CHANGESET, 'version'], opts)
    : '';
  if (opts.build !== false) {
    for (const p of workspacePackages(opts.cwd))
      if (!p.json.private) rmSync(join(p.dir, 'dist'), { recursive: true, force: true });
    output += run(
      process.execPath,
      [NX, 'run-many', '-t', 'build', '--output-style=static', '--skip-nx-cache'],
      opts,
    );
  }
  output += run(process.execPath, [CHANGESET, 'publish'], opts);
  return output;
}

/** The local registry a release publishes to: its URL, the environment to use, and how to stop it. */
export interface LocalTarget {
  url: string;
  /** npm's environment with a user config that sends @tessera/* there with a token. */
  env: NodeJS.ProcessEnv;
  /** The user config written under `.tessera/registry/`. */
  npmrc: string;
  /** Stops the registry when this started it. */
  stop(): Promise<void>;
}

/**
 * Prepares publishing to the local registry on `port`: joins the running one or starts it with
 * storage under `<root>/.tessera/registry`, makes a token, and writes the user config using it.
 */
export async function localTarget(
  root: string,
  port = DEFAULT_PORT,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LocalTarget> {
  const url = `http://127.0.0.1:${port}`;
  let registry: Registry | undefined;
  const upstream = upstreamRegistry();
  if (!(await isRunning(url)))
    registry = await startRegistry({ dir: join(root, '.tessera/registry'), port, quiet: true });
  try {
    const token = await createToken(url);
    const npmrc = writeNpmrc(join(root, '.tessera/registry/publish.npmrc'), url, token, upstream);
    return {
      url,
      npmrc,
      env: { ...env, NPM_CONFIG_USERCONFIG: npmrc },
      stop: async () => registry?.stop(),
    };
  } catch (err) {
    await registry?.stop();
    throw err;
  }
}

/** What `runRelease` takes besides the command line. */
export interface RunReleaseOptions {
  /** The workspace root. */
  root: string;
  /** The local registry's port (`--local`); default 4873. */
  port?: number;
  /** Build before publishing (default true). */
  build?: boolean;
  /** The environment without `--local` (default: this process's). */
  env?: NodeJS.ProcessEnv;
  stdio?: 'inherit' | 'pipe';
  /** Where the outcome is reported (default: the console; failures to stderr). */
  out?: (line: string) => void;
  err?: (line: string) => void;
}

/**
 * `npm run release [-- --local]`: releases the workspace to npm's @tessera registry, or with
 * `--local` to the local Verdaccio (joined, or started and stopped again). Answers the exit code.
 */
export async function runRelease(argv: string[], opts: RunReleaseOptions): Promise<number> {
  const out = opts.out ?? console.log;
  let target: LocalTarget | undefined;
  try {
    if (!existsSync(join(opts.root, '.changeset')))
      throw new Error(`No .changeset/ folder in ${opts.root}.`);
    if (argv.includes('--local')) target = await localTarget(opts.root, opts.port, opts.env);
    release({
      cwd: opts.root,
      env: target?.env ?? opts.env,
      build: opts.build,
      stdio: opts.stdio,
    });
    out(`Released to ${target?.url ?? scopeRegistry(opts.root, opts.env)}`);
    return 0;
  } catch (err) {
    (opts.err ?? console.error)(err instanceof Error ? err.message : String(err));
    return 1;
  } finally {
    await target?.stop();
  }
}
