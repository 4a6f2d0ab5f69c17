// Many processes: two `tessera serve` processes on one database, the cache on Redis, behind
// Debian's nginx running deploy/nginx.conf (static files from collectstatic's output). Sessions
// and cache invalidation cross processes; one process dies mid-load and nginx keeps serving.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { dropDatabase, ensureDatabase, freePort } from '@tessera/core/internal';
import { testServerUrl } from '@tessera/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, PASSWORD } from './apps.ts';
import {
  HttpVisitor,
  SERVE_SETTINGS,
  send,
  serveSite,
  sleep,
  startRedis,
  waitFor,
  type OwnRedis,
  type Outcome,
  type ServedSite,
} from './processes.ts';

const NGINX = '/usr/sbin/nginx';
const CONFIG = fileURLToPath(new URL('../../../../deploy/nginx.conf', import.meta.url));
const SITE_CSS = fileURLToPath(new URL('../../static/site.css', import.meta.url));
const TESSERA = fileURLToPath(new URL('../../../../packages/core/bin/tessera.js', import.meta.url));

/** deploy/nginx.conf with its placeholders filled in; fails if one is left. */
export function renderNginxConfig(values: Record<string, string>): string {
  const text = readFileSync(CONFIG, 'utf8').replace(/\{\{([A-Z_0-9]+)\}\}/g, (m, key: string) => {
    if (!(key in values)) throw new Error(`deploy/nginx.conf: no value for ${m}`);
    return values[key]!;
  });
  return text;
}

/** Runs a `tessera` command on the test settings; resolves with its exit code and output. */
function tessera(
  args: string[],
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--conditions=source', TESSERA, ...args, '--settings', SERVE_SETTINGS],
      {
        cwd: fileURLToPath(new URL('../../', import.meta.url)),
        env: { ...process.env, NODE_OPTIONS: '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('two site processes behind nginx', () => {
  const database = `tessera_t_cluster_${process.pid}`;
  const databaseUrl = `${testServerUrl()}/${database}`;
  let root: string | undefined;
  let redis: OwnRedis;
  let one: ServedSite;
  let two: ServedSite;
  let nginx: ChildProcess;
  let nginxOutput = '';
  let front: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'tessera-cluster-'));
    const staticDir = join(root, 'static');
    const runDir = join(root, 'nginx');
    // nginx's workers (nobody, unless root runs them as root) read the static folder.
    chmodSync(root, 0o755);
    mkdirSync(runDir, { recursive: true });
    await ensureDatabase(testServerUrl(), database);
    redis = await startRedis();
    env = {
      HARDENING_DATABASE_URL: databaseUrl,
      HARDENING_REDIS_URL: redis.url,
      HARDENING_SERVE_STATIC: '0',
    };
    const collected = await tessera(['collectstatic', staticDir], { ...env, HARDENING_PORT: '0' });
    expect(collected.code, collected.output).toBe(0);
    // The first process migrates the database; the second finds nothing to do.
    one = await serveSite(env);
    two = await serveSite(env);

    const listen = await freePort();
    const conf = join(runDir, 'nginx.conf');
    writeFileSync(
      conf,
      renderNginxConfig({
        LISTEN: `127.0.0.1:${listen}`,
        SERVER_NAME: '127.0.0.1 localhost',
        APP_1: `127.0.0.1:${one.port}`,
        APP_2: `127.0.0.1:${two.port}`,
        STATIC_ROOT: staticDir,
        LOG_DIR: runDir,
        RUN_DIR: runDir,
      }),
    );
    const globals = `daemon off;${process.getuid?.() === 0 ? ' user root;' : ''}`;
    nginx = spawn(
      NGINX,
      ['-e', join(runDir, 'error.log'), '-p', runDir, '-c', conf, '-g', globals],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    nginx.stdout!.on('data', (d: Buffer) => (nginxOutput += d.toString()));
    nginx.stderr!.on('data', (d: Buffer) => (nginxOutput += d.toString()));
    front = `http://127.0.0.1:${listen}`;
    await waitFor(
      'nginx',
      async () => {
        if (nginx.exitCode !== null) throw new Error(`nginx exited: ${nginxOutput}`);
        return (await send(`${front}/healthz`, { timeoutMs: 2_000 })).status === 200;
      },
      20_000,
    );

    // A superuser: registered through the site, promoted in the database.
    const v = new HttpVisitor();
    const reg = await v.send(one.url, '/accounts/register', {
      form: {
        email: ADMIN_EMAIL,
        displayName: 'Admin',
        password: PASSWORD,
        passwordConfirm: PASSWORD,
      },
      token: true,
    });
    expect(reg.status, reg.body).toBe(303);
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(
      'update auth_user set is_staff = true, is_superuser = true where email = $1',
      [ADMIN_EMAIL],
    );
    await client.end();
  }, 180_000);

  afterAll(async () => {
    if (nginx && nginx.exitCode === null) {
      const gone = new Promise((r) => nginx.once('exit', r));
      nginx.kill('SIGTERM');
      await Promise.race([gone, sleep(10_000)]);
      if (nginx.exitCode === null) nginx.kill('SIGKILL');
    }
    await Promise.all([one?.stop(5_000), two?.stop(5_000)]);
    await redis?.stop();
    await dropDatabase(testServerUrl(), database);
    if (root) rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it('nginx serves the static files from collectstatic’s output; the site processes do not serve them', async () => {
    const css = await send(`${front}/static/site.css`);
    expect(css.status).toBe(200);
    expect(css.body).toBe(readFileSync(SITE_CSS, 'utf8'));
    expect(css.headers?.['x-request-id']).toBeUndefined(); // the site adds it; nginx does not
    expect(css.headers?.['cache-control']).toMatch(/max-age=604800/);
    expect(css.headers?.['x-content-type-options']).toBe('nosniff');
    expect((await send(`${one.url}/static/site.css`)).status).toBe(404);
    for (const path of [
      '/static/../package.json',
      '/static/..%2f..%2fpackage.json',
      '/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/static/..%252f..%252fetc/passwd',
      '/static//etc/passwd',
      '/static/.',
    ]) {
      const res = await send(`${front}${path}`);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
      expect(res.body, path).not.toMatch(/root:x:0|"name":/);
    }
  }, 90_000);

  it('pages come from the site processes, with the site’s headers, and a client cannot pick its address', async () => {
    const home = await send(`${front}/`);
    expect(home.status).toBe(200);
    expect(home.headers?.['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(home.headers?.['x-request-id']).toMatch(/^[0-9a-f]{32}$/); // nginx's $request_id
    expect(home.headers?.server).toBe('nginx');
    const ip = await send(`${front}/probe/ip`, { headers: { 'x-forwarded-for': '6.6.6.6' } });
    expect(JSON.parse(ip.body)).toEqual({ ip: '127.0.0.1', protocol: 'http' });
  });

  it('a request for another host name gets no answer', async () => {
    const res = await send(`${front}/`, { headers: { host: 'evil.example' } });
    expect(res.status).toBeUndefined();
    expect(res.error).toMatch(/ECONNRESET|socket hang up/);
  });

  it('a visitor signed in through one process is signed in on the other, and signed out on both', async () => {
    const v = new HttpVisitor();
    const login = await v.signIn(one.url, ADMIN_EMAIL, PASSWORD);
    expect(login.status).toBe(303);
    const page = await v.send(two.url, '/accounts/password/change');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Admin');
    const out = await v.send(two.url, '/accounts/logout', { form: {}, token: true });
    expect(out.status).toBe(303);
    // The old cookie is dead on the first process too: the session was removed, not forgotten.
    const stale = new HttpVisitor();
    const after = new HttpVisitor();
    await after.signIn(one.url, ADMIN_EMAIL, PASSWORD);
    const cookie = [...after.cookies][0]!;
    stale.cookies.set(cookie[0], cookie[1]);
    await after.send(two.url, '/accounts/logout', { form: {}, token: true });
    const guarded = await stale.send(one.url, '/accounts/password/change');
    expect(guarded.status).toBe(303);
    expect(guarded.headers?.location).toMatch(/^\/accounts\/login/);
  }, 90_000);

  it('an entry saved through one process stops the other from serving its old page', async () => {
    const admin = new HttpVisitor();
    expect((await admin.signIn(one.url, ADMIN_EMAIL, PASSWORD)).status).toBe(303);
    const created = await admin.send(one.url, '/blog/new', {
      form: {
        title: 'Cluster entry',
        slug: 'cluster-entry',
        body: 'First words.',
        excerpt: '',
        status: 'live',
        pubDate: '2024-05-06T10:00',
        tags: 'cluster',
      },
      token: true,
    });
    expect(created.status, created.body.slice(0, 300)).toBe(303);
    const url = created.headers!.location as string;
    // The second process caches the page (in Redis)…
    const first = await send(`${two.url}${url}`);
    const again = await send(`${two.url}${url}`);
    expect(first.body).toContain('Cluster entry');
    expect(again.headers?.['x-cache']).toBe('HIT');
    const list = await send(`${two.url}/blog`);
    expect(list.body).toContain('Cluster entry');
    // …the first process saves a new title…
    const edited = await admin.send(one.url, '/blog/edit/cluster-entry', {
      form: {
        title: 'Cluster entry, revised',
        slug: 'cluster-entry',
        body: 'Second words.',
        excerpt: '',
        status: 'live',
        pubDate: '2024-05-06T10:00',
        tags: 'cluster',
      },
      token: true,
    });
    expect(edited.status, edited.body.slice(0, 300)).toBe(303);
    // …and the second process serves the new page at once, and the list too.
    const now = await send(`${two.url}${url}`);
    expect(now.status).toBe(200);
    expect(now.body).toContain('Cluster entry, revised');
    expect(now.body).toContain('Second words.');
    expect(now.headers?.['x-cache']).not.toBe('HIT');
    expect((await send(`${two.url}/blog`)).body).toContain('Cluster entry, revised');
    expect((await send(`${front}${url}`)).body).toContain('Cluster entry, revised');
  }, 90_000);

  /** Clients looping over pages through nginx until stopped; every answer is kept. */
  function loadThroughNginx() {
    const paths = [
      '/',
      '/blog',
      '/tags',
      '/blog/2024/05/cluster-entry',
      '/probe/pid',
      '/static/site.css',
    ];
    const outcomes: (Outcome & { path: string })[] = [];
    let running = true;
    const loops = Array.from({ length: 6 }, async (_, i) => {
      for (let n = i; running; n++) {
        const path = paths[n % paths.length]!;
        outcomes.push({ ...(await send(`${front}${path}`, { timeoutMs: 10_000 })), path });
      }
    });
    const pidsOf = (list: (Outcome & { path: string })[]) =>
      new Set(
        list
          .filter((o) => o.path === '/probe/pid' && o.status === 200)
          .map((o) => JSON.parse(o.body).pid),
      );
    return {
      outcomes,
      pidsOf,
      /** Waits until both processes have answered and the load has some history. */
      running: () =>
        waitFor(
          'the load to run through both processes',
          () => pidsOf(outcomes).size === 2 && outcomes.length >= 100,
          20_000,
        ),
      async stop() {
        running = false;
        await Promise.all(loops);
      },
    };
  }

  const failures = (list: (Outcome & { path: string })[]) =>
    list
      .filter((o) => o.status !== 200 || !o.complete)
      .map((o) => `${o.path}: ${o.status ?? o.error}`);

  it('a process stopped with SIGTERM mid-load hands over to the other without a single failed request', async () => {
    const load = loadThroughNginx();
    await load.running();
    const stopAt = Date.now();
    expect(await one.stop()).toEqual({ code: 0, signal: null });
    await sleep(1_500);
    await load.stop();
    expect(failures(load.outcomes)).toEqual([]);
    const after = load.outcomes.filter((o) => o.startedAt > stopAt);
    expect(after.length).toBeGreaterThan(30);
    expect(load.pidsOf(after.filter((o) => o.startedAt > stopAt + 500))).toEqual(
      new Set([two.child.pid]),
    );
    // Back on its port (a rolling restart): nginx sends it requests again.
    one = await serveSite({ ...env, HARDENING_PORT: String(one.port) });
  }, 90_000);

  it('a process killed mid-load: nginx keeps serving from the other, with no failed request after the switch', async () => {
    const load = loadThroughNginx();
    await load.running();
    const stopAt = Date.now();
    one.child.kill('SIGKILL');
    await one.exited();
    await sleep(3_000);
    await load.stop();

    const after = load.outcomes.filter((o) => o.startedAt > stopAt);
    expect(failures(after)).toEqual([]);
    expect(after.length).toBeGreaterThan(30);
    // After the switch only the second process answers; before it, everything succeeded too.
    expect(load.pidsOf(after)).toEqual(new Set([two.child.pid]));
    expect(failures(load.outcomes.filter((o) => o.endedAt < stopAt))).toEqual([]);
  }, 90_000);
});
