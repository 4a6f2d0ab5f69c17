// Real processes for the fault, nginx and shutdown tests: `tessera serve` children, a Redis of
// the test's own, a TCP proxy to cut a database off, a tiny SMTP server, and an HTTP client that
// tells an accepted request from a refused one. Everything listens on and talks to 127.0.0.1;
// every wait is bounded; everything started here is stopped by its PID or handle.
import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { freePort } from '@tessera/core/internal';

/** The `tessera` command of the workspace (run with the `source` condition, as `npm start` does). */
const TESSERA = fileURLToPath(new URL('../../../../packages/core/bin/tessera.js', import.meta.url));
/** The settings module `tessera serve` loads in these tests. */
export const SERVE_SETTINGS = fileURLToPath(
  new URL('./fixtures/serve-settings.ts', import.meta.url),
);
const SITE_DIR = fileURLToPath(new URL('../../', import.meta.url));

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` every `every` ms until it answers true; fails after `timeoutMs` naming `what`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  every = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await sleep(every);
  }
}

/** What one HTTP request came to. */
export interface Outcome {
  /** The status, once the response's headers arrived (the server accepted the request). */
  status?: number;
  headers?: Record<string, string | string[] | undefined>;
  body: string;
  /** The whole response arrived. */
  complete: boolean;
  /** How the connection failed (`ECONNREFUSED`, `ECONNRESET`, `aborted`, `timeout`). */
  error?: string;
  startedAt: number;
  acceptedAt?: number;
  endedAt: number;
}

/**
 * One HTTP/1.1 request on a connection of its own (no pooling, so a refused connection and a
 * reset mid-response are told apart). Never throws: the outcome says what happened.
 */
export function send(
  url: string,
  opts: {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    timeoutMs?: number;
  } = {},
): Promise<Outcome> {
  const startedAt = Date.now();
  return new Promise((resolve) => {
    const out: Outcome = { body: '', complete: false, startedAt, endedAt: 0 };
    let settled = false;
    const done = (error?: string) => {
      if (settled) return;
      settled = true;
      if (error) out.error = error;
      out.endedAt = Date.now();
      resolve(out);
    };
    const req = httpRequest(
      url,
      {
        method: opts.method ?? 'GET',
        headers: { connection: 'close', ...opts.headers },
        agent: false,
      },
      (res) => {
        out.status = res.statusCode;
        out.headers = res.headers;
        out.acceptedAt = Date.now();
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (out.body += chunk));
        res.on('end', () => {
          out.complete = res.complete;
          done(res.complete ? undefined : 'aborted');
        });
        res.on('aborted', () => done('aborted'));
        res.on('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
      },
    );
    req.setTimeout(opts.timeoutMs ?? 15_000, () => {
      req.destroy();
      done('timeout');
    });
    req.on('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
    req.end(opts.body);
  });
}

/** A `tessera serve` process of the site. */
export interface ServedSite {
  child: ChildProcess;
  port: number;
  url: string;
  /** Everything it printed. */
  output(): string;
  /** Resolves with how it exited (at once if it already has). */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `tessera serve` on the site's settings with `env`; resolves once `/healthz` answers. */
export async function serveSite(
  env: Record<string, string>,
  timeoutMs = 90_000,
): Promise<ServedSite> {
  const port = Number(env.HARDENING_PORT ?? (await freePort()));
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^(VITEST|NODE_OPTIONS|TESSERA_ENV|DATABASE_URL|REDIS_URL)/.test(k),
    ),
  );
  const child = spawn(
    process.execPath,
    ['--conditions=source', TESSERA, 'serve', '--settings', SERVE_SETTINGS],
    {
      cwd: SITE_DIR,
      env: { ...clean, HARDENING_PORT: String(port), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let gone = false;
  void exit.then(() => (gone = true));
  const site: ServedSite = {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    exited: () => exit,
    async stop(graceMs = 15_000) {
      if (!gone) child.kill('SIGTERM');
      const timer = setTimeout(() => !gone && child.kill('SIGKILL'), graceMs);
      const result = await exit;
      clearTimeout(timer);
      return result;
    },
  };
  try {
    await waitFor(
      `tessera serve on port ${port}`,
      async () => {
        if (gone) throw new Error(`tessera serve exited before it answered:\n${output}`);
        return (await send(`${site.url}/healthz`, { timeoutMs: 2_000 })).status === 200;
      },
      timeoutMs,
      200,
    );
  } catch (err) {
    await site.stop(2_000);
    throw err;
  }
  return site;
}

/** A Redis server of the test's own (Debian's redis-server), with nothing kept on disk. */
export interface OwnRedis {
  port: number;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Answers true when a Redis at `port` says PONG. */
export function redisAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const end = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => end(false));
    socket.on('error', () => end(false));
    socket.on('data', (d) => end(d.toString().startsWith('+PONG')));
    socket.write('PING\r\n');
  });
}

/** Starts `redis-server` on `port` (a free one by default); resolves once it answers. */
export async function startRedis(port?: number): Promise<OwnRedis> {
  const p = port ?? (await freePort());
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(p),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--protected-mode',
      'yes',
    ],
    { stdio: 'ignore' },
  );
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor(`redis-server on ${p}`, () => redisAnswers(p), 15_000);
  return {
    port: p,
    url: `redis://127.0.0.1:${p}`,
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exit;
    },
  };
}

/**
 * A TCP proxy in front of a server: `cut()` drops every connection and refuses new ones (the
 * server is gone, as far as clients can tell); `to(port)` points it at a server again.
 */
export class TcpProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #upstream: number | null;
  port = 0;

  constructor(upstream: number) {
    this.#upstream = upstream;
    this.#server = createServer((client) => {
      if (this.#upstream === null) return void client.destroy();
      const server = connect(this.#upstream, '127.0.0.1');
      for (const s of [client, server]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          server.destroy();
        });
      }
      client.pipe(server);
      server.pipe(client);
    });
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.port = (this.#server.address() as { port: number }).port;
    return this;
  }

  cut(): void {
    this.#upstream = null;
    for (const s of this.#sockets) s.destroy();
  }

  to(upstream: number): void {
    this.#upstream = upstream;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** A browser over real HTTP: a cookie jar and its session's CSRF token. */
export class HttpVisitor {
  readonly cookies = new Map<string, string>();
  #token: string | undefined;

  /** Sends a request to `base` + `path` with this visitor's cookies; keeps the cookies it gets. */
  async send(
    base: string,
    path: string,
    opts: {
      method?: string;
      form?: Record<string, string>;
      headers?: Record<string, string>;
      token?: boolean;
    } = {},
  ): Promise<Outcome> {
    const headers: Record<string, string> = { ...opts.headers };
    let body: string | undefined;
    if (opts.form) {
      const form = opts.token ? { ...opts.form, _csrf: await this.token(base) } : opts.form;
      body = new URLSearchParams(form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    if (this.cookies.size)
      headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const out = await send(`${base}${path}`, {
      method: opts.method ?? (body ? 'POST' : 'GET'),
      headers,
      body,
    });
    const set = out.headers?.['set-cookie'];
    for (const c of Array.isArray(set) ? set : set ? [set] : []) {
      const [pair] = c.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at).trim();
      const value = pair!.slice(at + 1).trim();
      if (!value || /max-age=0|expires=thu, 01 jan 1970/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return out;
  }

  /** The CSRF token of this visitor's session (asked once, from `base`). */
  async token(base: string): Promise<string> {
    if (!this.#token) {
      const res = await this.send(base, '/csrf-token', { headers: { accept: 'application/json' } });
      this.#token = (JSON.parse(res.body) as { token: string }).token;
    }
    return this.#token;
  }

  /** Signs in at `base`; the session (and its token) is new afterwards. */
  async signIn(base: string, email: string, password: string): Promise<Outcome> {
    const res = await this.send(base, '/accounts/login', {
      form: { email, password },
      token: true,
    });
    this.#token = undefined;
    return res;
  }
}
