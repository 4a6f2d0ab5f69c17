// Starts Verdaccio on loopback with a config written at run time: @tessera/* is served from local
// storage, everything else is proxied to the registry npm is configured with (read from
// `npm config get registry`, never written into a committed file).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

/** The port `npm run registry` listens on. */
export const DEFAULT_PORT = 4873;
/** The user `token()` creates (or logs in as) when none is given. */
export const DEFAULT_USER = 'tessera';
/** That user's password: the registry listens on loopback only, so it guards nothing but typos. */
export const DEFAULT_PASSWORD = 'tessera-local-publisher';

/** A running registry. */
export interface Registry {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  /** The registry everything but @tessera/* is proxied to. */
  upstream: string;
  /** The PID of Verdaccio's node process. */
  pid: number;
  /** Creates (or logs in) a user and answers an auth token for publishing. */
  token(user?: string, password?: string): Promise<string>;
  /** Writes an npmrc that publishes @tessera/* here with a token; answers its path. */
  writeNpmrc(file: string, token: string): string;
  /** Stops Verdaccio and waits for its process to exit. */
  stop(): Promise<void>;
}

/** The registry npm uses now (the upstream Verdaccio proxies to). */
export function upstreamRegistry(env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync('npm', ['config', 'get', 'registry', '--no-workspaces'], {
    encoding: 'utf8',
    env,
  }).trim();
}

/** Verdaccio's config: @tessera/* local (anyone reads, a logged-in user publishes), the rest proxied. */
export function verdaccioConfig(storage: string, upstream: string): string {
  return [
    `storage: ${JSON.stringify(storage)}`,
    'auth:',
    '  htpasswd:',
    `    file: ${JSON.stringify(join(storage, 'htpasswd'))}`,
    '    max_users: 100',
    'uplinks:',
    '  upstream:',
    `    url: ${JSON.stringify(upstream)}`,
    '    timeout: 60s',
    'packages:',
    "  '@tessera/*':",
    '    access: $all',
    '    publish: $authenticated',
    '    unpublish: $authenticated',
    "  '**':",
    '    access: $all',
    '    publish: $authenticated',
    '    proxy: upstream',
    'server:',
    '  keepAliveTimeout: 60',
    'log: { type: stdout, format: pretty, level: warn }',
    '',
  ].join('\n');
}

/** True when a registry answers Verdaccio's ping at `url`. */
export async function isRunning(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/-/ping`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

/**
 * Creates user `user` on the registry at `url` (or logs in when it exists) without a prompt, and
 * answers a token that can publish: the same REST call `npm adduser` makes.
 */
export async function createToken(
  url: string,
  user = DEFAULT_USER,
  password = DEFAULT_PASSWORD,
): Promise<string> {
  const res = await fetch(`${url}/-/user/org.couchdb.user:${encodeURIComponent(user)}`, {
    method: 'PUT',
    headers: {
      'content-type': 'application/json',
      // With the user's credentials an existing user logs in; without them Verdaccio refuses
      // the name as taken.
      authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
    },
    body: JSON.stringify({ name: user, password }),
  });
  const body = (await res.json().catch(() => ({}))) as { token?: string; error?: string };
  if (!res.ok || !body.token)
    throw new Error(`The registry at ${url} refused user ${user}: ${body.error ?? res.status}`);
  return body.token;
}

/**
 * The lines of an npmrc that sends @tessera/* to `url` with `token`. With `upstream`, every other
 * package keeps coming from it (an npmrc given as `--userconfig` replaces the user's own).
 */
export function npmrcFor(url: string, token: string, upstream?: string): string {
  const host = url.replace(/^https?:/, '').replace(/\/$/, '');
  return [
    ...(upstream ? [`registry=${upstream}`] : []),
    `@tessera:registry=${url.replace(/\/$/, '')}/`,
    `${host}/:_authToken=${token}`,
    '',
  ].join('\n');
}

/** Writes `npmrcFor(...)` to `file` (creating its folder); answers the file. */
export function writeNpmrc(file: string, url: string, token: string, upstream?: string): string {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, npmrcFor(url, token, upstream), { mode: 0o600 });
  return file;
}

async function waitFor(url: string, child: ChildProcess, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`verdaccio exited with code ${child.exitCode}`);
    if (await isRunning(url)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`verdaccio did not answer at ${url} within ${ms} ms`);
}

/** How to start a registry. */
export interface StartOptions {
  /** Holds `config.yaml` and `storage/` (users and published packages). */
  dir: string;
  /** On 127.0.0.1; default 4873. */
  port?: number;
  /** Where other packages come from; default `npm config get registry`. */
  upstream?: string;
  /** Discard Verdaccio's own output. */
  quiet?: boolean;
}

/** Starts Verdaccio with storage under `dir` on 127.0.0.1:`port`. */
export async function startRegistry(opts: StartOptions): Promise<Registry> {
  const port = opts.port ?? DEFAULT_PORT;
  const dir = resolve(opts.dir);
  const url = `http://127.0.0.1:${port}`;
  const upstream = opts.upstream ?? upstreamRegistry();
  if (upstream.replace(/\/$/, '') === url || upstream.startsWith(`${url}/`)) {
    throw new Error(
      `npm's registry is ${upstream}, the address this registry would listen on: it cannot proxy to itself. Point npm's registry elsewhere (npm config get registry) and scope only @tessera to ${url}.`,
    );
  }
  const storage = join(dir, 'storage');
  mkdirSync(storage, { recursive: true });
  const configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, verdaccioConfig(storage, upstream));
  const bin = createRequire(import.meta.url).resolve('verdaccio/bin/verdaccio');
  const child = spawn(
    process.execPath,
    [bin, '--config', configFile, '--listen', `127.0.0.1:${port}`],
    { stdio: opts.quiet ? 'ignore' : ['ignore', 'inherit', 'inherit'] },
  );
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  try {
    await waitFor(url, child);
  } catch (err) {
    child.kill('SIGTERM');
    await exited;
    throw err;
  }
  return {
    url,
    upstream,
    pid: child.pid!,
    token: (user, password) => createToken(url, user, password),
    writeNpmrc: (file, token) => writeNpmrc(file, url, token),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
