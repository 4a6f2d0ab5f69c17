// Starts Verdaccio on loopback with a config written at run time: @tessera/* is served from local
// storage, everything else is proxied to the registry npm is configured with (read from
// `npm config get registry`, never written into a committed file).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

/** A running registry. */
export interface Registry {
  url: string;
  /** Creates (or logs in) a user and answers an auth token for publishing. */
  token(user?: string, password?: string): Promise<string>;
  /** Writes an npmrc that publishes @tessera/* here with a token; answers its path. */
  writeNpmrc(file: string, token: string): string;
  stop(): Promise<void>;
}

/** The registry npm uses now (the upstream Verdaccio proxies to). */
export function upstreamRegistry(): string {
  return execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).trim();
}

function config(storage: string, upstream: string): string {
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

async function waitFor(url: string, child: ChildProcess, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`verdaccio exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/-/ping`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`verdaccio did not answer at ${url} within ${ms} ms`);
}

/** Starts Verdaccio with storage under `dir` on 127.0.0.1:`port`. */
export async function startRegistry(opts: {
  dir: string;
  port?: number;
  quiet?: boolean;
}): Promise<Registry> {
  const port = opts.port ?? 4873;
  const dir = resolve(opts.dir);
  const storage = join(dir, 'storage');
  mkdirSync(storage, { recursive: true });
  const configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, config(storage, upstreamRegistry()));
  const bin = createRequire(import.meta.url).resolve('verdaccio/bin/verdaccio');
  const child = spawn(
    process.execPath,
    [bin, '--config', configFile, '--listen', `127.0.0.1:${port}`],
    {
      stdio: opts.quiet ? 'ignore' : ['ignore', 'inherit', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(url, child);
  } catch (err) {
    child.kill('SIGTERM');
    throw err;
  }
  return {
    url,
    async token(user = 'tessera', password = 'tessera-local-publisher') {
      const res = await fetch(`${url}/-/user/org.couchdb.user:${encodeURIComponent(user)}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: user, password }),
      });
      const body = (await res.json()) as { token?: string; error?: string };
      if (!body.token)
        throw new Error(`registry refused user ${user}: ${body.error ?? res.status}`);
      return body.token;
    },
    writeNpmrc(file, token) {
      const host = url.replace(/^https?:/, '');
      writeFileSync(file, `@tessera:registry=${url}/\n${host}/:_authToken=${token}\n`);
      return file;
    },
    stop: () =>
      new Promise<void>((res) => {
        if (child.exitCode !== null) return res();
        child.once('exit', () => res());
        child.kill('SIGTERM');
      }),
  };
}
