// The processes a bench run starts: the raw Fastify floor and the production site. Each listens
// on 127.0.0.1 only and is stopped by the run that started it (by its own handle, never by name).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const FLOOR = fileURLToPath(new URL('./floor.ts', import.meta.url));
const SITE = fileURLToPath(new URL('./site-server.ts', import.meta.url));
const HANDWRITTEN = fileURLToPath(new URL('./handwritten/server.ts', import.meta.url));
const TESSERA = fileURLToPath(new URL('../../../packages/core/bin/tessera.js', import.meta.url));
/** The site's production settings, as `npm run start:prod` loads them. */
export const PRODUCTION_SETTINGS = fileURLToPath(
  new URL('../../../apps/site/src/settings/production.ts', import.meta.url),
);

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** One GET on loopback: status, headers and body. */
export function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A process the bench started, with a way to ask it things and to stop it. */
export class Child {
  readonly proc: ChildProcess;
  readonly port: number;
  readonly url: string;
  readonly started: number;
  #stderr = '';
  #exited: Promise<number | null>;

  constructor(proc: ChildProcess, port: number, started: number) {
    this.proc = proc;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.started = started;
    proc.stderr?.on('data', (c: Buffer) => {
      this.#stderr = (this.#stderr + c.toString('utf8')).slice(-4000);
    });
    this.#exited = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
  }

  /** The last lines the process wrote to stderr (for an error message). */
  get stderr(): string {
    return this.#stderr.trim();
  }

  /** Waits for the first IPC message of `type` (or with key `type`). */
  message<T>(type: string, timeoutMs = 120_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`No '${type}' from the process within ${timeoutMs} ms.\n${this.stderr}`));
      }, timeoutMs);
      const onMessage = (msg: Record<string, unknown>) => {
        if (msg?.type === type || type in (msg ?? {})) {
          cleanup();
          resolve(msg as T);
        }
      };
      const onExit = (code: number | null) => {
        cleanup();
        reject(new Error(`The process exited (${code}) before '${type}'.\n${this.stderr}`));
      };
      const cleanup = () => {
        clearTimeout(timer);
        this.proc.off('message', onMessage);
        this.proc.off('exit', onExit);
      };
      this.proc.on('message', onMessage);
      this.proc.once('exit', onExit);
    });
  }

  /** Asks the process over IPC and waits for its answer of the same type. */
  ask<T>(msg: { type: string } & Record<string, unknown>): Promise<T> {
    const answer = this.message<T>(msg.type);
    this.proc.send(msg);
    return answer;
  }

  /** Waits until the process exits on its own. */
  exited(): Promise<number | null> {
    return this.#exited;
  }

  /** SIGTERM, then SIGKILL if it has not exited within 10 s. */
  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 10_000);
    await this.#exited;
    clearTimeout(timer);
  }
}

/** Starts the raw Fastify "hello world" floor and waits until it listens. */
export async function startFloor(): Promise<Child> {
  const port = await freePort();
  const proc = spawn(process.execPath, [FLOOR, String(port)], {
    cwd: HERE,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  const child = new Child(proc, port, performance.now());
  await child.message('ready', 30_000);
  return child;
}

/** How the bench runs the production site. */
export interface SiteMode {
  /** Install the cache app (production's own list) or leave it out. */
  cache: boolean;
  /** Production's log level unless given (the bench uses `warn`; see docs/benchmarks.md). */
  logLevel?: string;
}

/** The environment the production site reads, and nothing from the bench's own. */
export function siteEnvironment(databaseUrl: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const key of ['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR']) {
    if (process.env[key] !== undefined) env[key] = process.env[key];
  }
  return {
    ...env,
    NODE_ENV: 'production',
    TESSERA_ENV: 'production',
    DATABASE_URL: databaseUrl,
    // A fresh secret per run: nothing the bench signs outlives it.
    SECRET_KEY: randomBytes(32).toString('hex'),
    // Node's compile cache, as `tessera serve` enables it (bin/tessera.js): the run's first start
    // fills it, the next ones read it (the cold start reported is the median of several).
    NODE_COMPILE_CACHE: join(tmpdir(), 'tessera-bench-compile-cache'),
    SITE_URL: 'http://127.0.0.1',
  };
}

/** `tessera migrate` for the production site's apps, on the bench database. */
export async function migrateSite(databaseUrl: string): Promise<number> {
  const proc = spawn(process.execPath, ['--conditions=source', SITE, '0', '--migrate'], {
    cwd: HERE,
    env: siteEnvironment(databaseUrl),
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  const child = new Child(proc, 0, performance.now());
  const { migrated } = await child.message<{ migrated: number }>('migrated');
  await child.exited();
  return migrated;
}

/**
 * Starts the production site and times its cold start: from spawning the process to the first
 * 200 of `probe` (a page that reads the database).
 */
export async function startSite(
  databaseUrl: string,
  mode: SiteMode,
  probe: string,
): Promise<{ child: Child; coldStartMs: number }> {
  const port = await freePort();
  const args = ['--conditions=source', SITE, String(port)];
  if (!mode.cache) args.push('--no-cache');
  if (mode.logLevel) args.push(`--log-level=${mode.logLevel}`);
  return spawnAndProbe(args, siteEnvironment(databaseUrl), port, probe);
}

/** How the soak runs the production site: `tessera serve` as production runs it. */
export interface ServeMode {
  /** Web processes sharing the port (`--workers`; production's default is 2). */
  workers: number;
  /** `tessera worker` processes running jobs (`--job-workers`). */
  jobWorkers: number;
  /** The cache and shared rate limit on this Redis; without it, each process keeps its own. */
  redisUrl?: string;
}

/**
 * Starts the production site with `tessera serve` — a primary, its web workers and job workers,
 * production's settings unchanged (its rate limit included) — on 127.0.0.1, and waits for the
 * first 200 of `probe`.
 */
export async function startServe(
  databaseUrl: string,
  mode: ServeMode,
  probe: string,
): Promise<{ child: Child; coldStartMs: number }> {
  const port = await freePort();
  const args = ['--conditions=source', TESSERA, 'serve', '--settings', PRODUCTION_SETTINGS];
  args.push('--workers', String(mode.workers), '--job-workers', String(mode.jobWorkers));
  const env = {
    ...siteEnvironment(databaseUrl),
    HOST: '127.0.0.1',
    PORT: String(port),
    ...(mode.redisUrl ? { REDIS_URL: mode.redisUrl } : {}),
  };
  return spawnAndProbe(args, env, port, probe);
}

/** Starts W6's hand-written list page (Fastify + MikroORM + Nunjucks, no Tessera). */
export async function startHandwritten(
  databaseUrl: string,
): Promise<{ child: Child; coldStartMs: number }> {
  const port = await freePort();
  return spawnAndProbe(
    [HANDWRITTEN, String(port)],
    { ...siteEnvironment(databaseUrl), NODE_ENV: 'production' },
    port,
    '/blog/',
  );
}

async function spawnAndProbe(
  args: string[],
  env: NodeJS.ProcessEnv,
  port: number,
  probe: string,
): Promise<{ child: Child; coldStartMs: number }> {
  const started = performance.now();
  const proc = spawn(process.execPath, args, {
    cwd: HERE,
    env,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  const child = new Child(proc, port, started);
  let failed: Error | undefined;
  child.exited().then((code) => {
    failed = new Error(`The server exited (${code}) while starting.\n${child.stderr}`);
  });
  const deadline = started + 120_000;
  for (;;) {
    if (failed) throw failed;
    if (performance.now() > deadline) {
      await child.stop();
      throw new Error(`The server did not answer ${probe} within 120 s.\n${child.stderr}`);
    }
    try {
      const res = await get(child.url + probe);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  return { child, coldStartMs: performance.now() - started };
}
