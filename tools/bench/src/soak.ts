// npm run soak: the production site under mixed load for a while — pages, cached pages, the JSON
// API, contact form posts with CSRF, sign-ins and sign-outs — counting every error (a 5xx or a
// request with no answer) and sampling the resident memory of each of its processes. Not a test:
// a script to run by hand (issue 18, item 11). Loopback only.
//
//   npm run soak                          5 minutes, memory sampled every 30 s
//   npm run soak -- --duration 90s        another length (5m, 90s, 1m30s, 300)
//   npm run soak -- --sample 15s          sample memory more often
//   npm run soak -- --connections 8       visitors looping at once
//   npm run soak -- --workers 2           web processes of `tessera serve`
//   npm run soak -- --redis [url]         cache and rate limit on Redis (REDIS_URL, else 127.0.0.1)
//   npm run soak -- --keep-db             leave the soak's database afterwards
//
// The site runs as production runs it: `tessera serve --workers 2 --job-workers 1` with
// apps/site's production settings, its rate limit included. It believes it is behind nginx
// (trustProxy 127.0.0.1): each visitor names its own address in X-Forwarded-For and says the
// request came over HTTPS, as nginx would, so the per-address limits see many visitors. The
// database is `tessera_soak` on the bench's PostgreSQL, dropped and seeded first (as the bench's).
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { availableParallelism, loadavg } from 'node:os';
import { benchServerUrl, dropDatabase, recreateDatabase } from './database.ts';
import { get, migrateSite, startServe, type Child } from './processes.ts';
import { SEED, seed } from './seed.ts';
import {
  count,
  emptyTally,
  formatSoakReport,
  parseHeapFigures,
  parseProcStat,
  parseSoakArgs,
  parseVmRss,
  verdict,
  type ProcessMemory,
  type Sample,
  type SoakReport,
  type Tally,
} from './soak-report.ts';

const DATABASE = 'tessera_soak';
const ENTRIES = 1_000;
const PER_PAGE = 10;
const PASSWORD = 'soak password, long enough 42';
/** A request with no answer after this long counts as a socket error. */
const TIMEOUT_MS = 30_000;

const argv = process.argv.slice(2);
const options = parseSoakArgs(argv, process.env);
const serverUrl = benchServerUrl();
const databaseUrl = `${serverUrl}/${DATABASE}`;
const started = performance.now();
const log = (line: string) =>
  console.log(`[soak ${Math.round((performance.now() - started) / 1000)}s] ${line}`);

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One visitor: its address (as nginx would forward it), its cookies and one kept-alive
 * connection, like a browser tab.
 */
class Visitor {
  readonly cookies = new Map<string, string>();
  readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  ip: string;
  /** The account it registered, to sign in with. */
  email = '';

  readonly site: Child;
  readonly tally: Tally;

  constructor(site: Child, tally: Tally, n: number) {
    this.site = site;
    this.tally = tally;
    this.ip = address(n);
  }

  /** Sends one request of `kind`, counted; a request with no answer answers null. */
  async send(
    kind: string,
    method: 'GET' | 'POST',
    path: string,
    form?: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<Answer | null> {
    try {
      const res = await this.#send(method, path, form, headers);
      count(this.tally, kind, res.status);
      return res;
    } catch {
      count(this.tally, kind, 'socket');
      return null;
    }
  }

  /** A form post with this session's CSRF token (fetched as a front end does). */
  async post(kind: string, path: string, form: Record<string, string>): Promise<Answer | null> {
    const token = await this.send(kind, 'GET', '/csrf-token', undefined, {
      accept: 'application/json',
    });
    if (token?.status !== 200) return token;
    const { token: csrf } = JSON.parse(token.body) as { token: string };
    return this.send(kind, 'POST', path, form, {
      'x-csrf-token': csrf,
      origin: `https://${this.#host}`,
    });
  }

  get #host(): string {
    return `127.0.0.1:${this.site.port}`;
  }

  #send(
    method: string,
    path: string,
    form: Record<string, string> | undefined,
    extra: Record<string, string>,
  ): Promise<Answer> {
    const body = form ? new URLSearchParams(form).toString() : undefined;
    const headers: Record<string, string> = {
      host: this.#host,
      'x-forwarded-for': this.ip,
      'x-forwarded-proto': 'https',
      ...(body
        ? {
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': String(Buffer.byteLength(body)),
          }
        : {}),
      ...(this.cookies.size
        ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') }
        : {}),
      ...extra,
    };
    return new Promise((resolve, reject) => {
      const req = request(
        `${this.site.url}${path}`,
        { method, headers, agent: this.agent, timeout: TIMEOUT_MS },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            for (const c of [res.headers['set-cookie'] ?? []].flat()) {
              const [pair] = c.split(';');
              const at = pair!.indexOf('=');
              const name = pair!.slice(0, at).trim();
              const value = pair!.slice(at + 1).trim();
              if (!value || /max-age=0|expires=thu, 01 jan 1970/i.test(c))
                this.cookies.delete(name);
              else this.cookies.set(name, value);
            }
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', reject);
      req.end(body);
    });
  }
}

/** A visitor's address: 10.x.y.z, one per number. */
function address(n: number): string {
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;
const page = () => 1 + Math.floor(Math.random() * (ENTRIES / PER_PAGE));
const tag = () => `topic-${1 + Math.floor(Math.random() * SEED.tags)}`;

/** What the load does, with how often: a visitor picks one at a time. */
function work(entryUrls: string[], slugs: string[]) {
  let fresh = 1_000_000;
  const kinds: [number, string, (v: Visitor) => Promise<unknown>][] = [
    [35, 'cached page', (v) => v.send('cached page', 'GET', pick(['/', '/blog/', '/tags/']))],
    [
      25,
      'page',
      (v) =>
        v.send(
          'page',
          'GET',
          pick([
            pick(entryUrls),
            `/blog/?page=${page()}`,
            `/tags/${tag()}`,
            `/blog/tag/${tag()}`,
            `/blog/author/${1 + Math.floor(Math.random() * SEED.authors)}`,
          ]),
        ),
    ],
    [
      20,
      'api',
      (v) =>
        v.send(
          'api',
          'GET',
          pick([
            `/blog/api/entries?page=${page()}`,
            `/blog/api/entries/${pick(slugs)}`,
            '/tags/api/tags',
            `/tags/api/tags/${tag()}`,
          ]),
        ),
    ],
    [
      12,
      'form post',
      async (v) => {
        // A new visitor each time (nginx would forward another address): the contact form's
        // own limit (a few messages per address) is not what the soak measures.
        v.ip = address(fresh++);
        const form = await v.send('form post', 'GET', '/contact/');
        if (form?.status !== 200) return;
        const sent = await v.post('form post', '/contact/', {
          name: 'Soak visitor',
          email: 'visitor@example.com',
          topic: 'general',
          message: 'A message sent by the soak, to be stored and mailed.',
        });
        if (sent?.status !== 303) throw new Unexpected('contact form', sent);
      },
    ],
    [
      8,
      'sign-in',
      async (v) => {
        v.ip = address(fresh++);
        const signedIn = await v.post('sign-in', '/accounts/login', {
          email: v.email,
          password: PASSWORD,
        });
        if (signedIn?.status !== 303) throw new Unexpected('sign-in', signedIn);
        await v.send('sign-in', 'GET', '/');
        const out = await v.post('sign-in', '/accounts/logout', {});
        if (out?.status !== 303) throw new Unexpected('sign-out', out);
      },
    ],
  ];
  const total = kinds.reduce((n, [w]) => n + w, 0);
  return (v: Visitor) => {
    let r = Math.random() * total;
    for (const [w, , run] of kinds) if ((r -= w) < 0) return run(v);
    return kinds[0]![2](v);
  };
}

/** An answer a flow did not expect (a 4xx where it should succeed): reported, not counted twice. */
class Unexpected extends Error {
  constructor(what: string, res: Answer | null) {
    super(`${what}: ${res ? `${res.status} ${res.body.slice(0, 200)}` : 'no answer'}`);
  }
}

/** The site's processes: the primary and every process whose parent it is, named by role. */
function processesOf(primary: number, names: Map<number, string>): ProcessMemory[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const { pid, ppid } = parseProcStat(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      if (ppid === primary) children.push(pid);
    } catch {
      // gone meanwhile
    }
  }
  const out: ProcessMemory[] = [];
  for (const pid of [primary, ...children.sort((a, b) => a - b)]) {
    try {
      const rssMiB = parseVmRss(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (!names.has(pid)) names.set(pid, nameOf(pid, primary, names));
      out.push({ name: names.get(pid)!, pid, rssMiB });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function nameOf(pid: number, primary: number, names: Map<number, string>): string {
  if (pid === primary) return 'primary';
  let role = 'web worker';
  try {
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    if (env.includes('TESSERA_PROCESS=jobs')) role = 'job worker';
  } catch {
    // unreadable: a web worker is the likelier
  }
  const n = [...names.values()].filter((x) => x.startsWith(role)).length + 1;
  return `${role} ${n}`;
}

function commit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      encoding: 'utf8',
    }).trim();
    return dirty ? `${sha} (with uncommitted changes)` : sha;
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const loadStart = Math.round(loadavg()[0]! * 100) / 100;
  // The code measured is the code at the start.
  const measured = commit();
  log(`database ${DATABASE}: dropped and created; migrations applied; seeding ${ENTRIES} entries`);
  await recreateDatabase(serverUrl, DATABASE);
  let site: Child | undefined;
  process.once('SIGINT', () => void site?.stop().then(() => process.exit(130)));
  try {
    await migrateSite(databaseUrl);
    await seed(databaseUrl, { entries: ENTRIES, ...SEED });
    const served = await startServe(
      databaseUrl,
      { workers: options.workers, jobWorkers: 1, redisUrl: options.redisUrl },
      '/',
    );
    site = served.child;
    log(`site up in ${Math.round(served.coldStartMs)} ms at ${site.url}`);

    // What the pages link to, from the API (as a crawler would find it).
    const tally = emptyTally();
    const setup = new Visitor(site, emptyTally(), 0);
    const entryUrls: string[] = [];
    const slugs: string[] = [];
    for (let p = 1; p <= 5; p++) {
      const res = await setup.send('setup', 'GET', `/blog/api/entries?page=${p}`);
      for (const e of (JSON.parse(res!.body) as { results: { slug: string; url: string }[] })
        .results) {
        entryUrls.push(e.url);
        slugs.push(e.slug);
      }
    }
    // Each visitor registers an account of its own, to sign in and out with during the run.
    const visitors = Array.from(
      { length: options.connections },
      (_, i) => new Visitor(site!, tally, i + 1),
    );
    for (const [i, v] of visitors.entries()) {
      const email = `soak-${i + 1}@example.com`;
      const res = await v.post('setup', '/accounts/register', {
        email,
        displayName: `Soak ${i + 1}`,
        password: PASSWORD,
        passwordConfirm: PASSWORD,
      });
      if (res?.status !== 303) throw new Unexpected('registration', res);
      await v.post('setup', '/accounts/logout', {});
      v.cookies.clear();
      v.email = email;
    }
    const step = work(entryUrls, slugs);

    const names = new Map<number, string>();
    const primary = site.proc.pid!;
    const metricsUrl = `${site.url}/metrics`;
    // Each process's RSS from /proc; the workers' heap from /metrics (asked straight, on loopback).
    const sample = async (at: number): Promise<Sample> => {
      const processes = processesOf(primary, names);
      const requests = tally.requests;
      const metrics = await get(metricsUrl).catch(() => null);
      const heap = metrics?.status === 200 ? parseHeapFigures(metrics.body) : null;
      return { at, processes, requests, ...(heap ? { heap } : {}) };
    };
    const samples: Sample[] = [await sample(0)];
    log(`load: ${options.connections} visitors for ${options.durationSeconds} s`);
    const loadStarted = performance.now();
    const deadline = loadStarted + options.durationSeconds * 1000;
    const unexpected = new Map<string, number>();
    const loops = visitors.map(async (v) => {
      while (performance.now() < deadline) {
        try {
          await step(v);
        } catch (err) {
          const key = (err as Error).message.slice(0, 120);
          unexpected.set(key, (unexpected.get(key) ?? 0) + 1);
        }
      }
    });
    const sampler = setInterval(async () => {
      const s = await sample(Math.round((performance.now() - loadStarted) / 1000));
      samples.push(s);
      const mem = s.processes.map((p) => `${p.name} ${p.rssMiB}`).join(', ');
      const heap = s.heap
        ? `; heap ${s.heap.heapUsed}/${s.heap.heapTotal}, ext ${s.heap.external}`
        : '';
      log(
        `${tally.requests} requests, ${tally.serverErrors + tally.socketErrors} errors; ${mem}${heap}`,
      );
    }, options.sampleSeconds * 1000);
    await Promise.all(loops);
    clearInterval(sampler);
    const seconds = Math.round((performance.now() - loadStarted) / 1000);
    if (samples.at(-1)!.at < seconds) samples.push(await sample(seconds));
    for (const v of visitors) v.agent.destroy();

    const pids = new Set(samples[0]!.processes.map((p) => p.pid));
    const replaced = [...names.entries()]
      .filter(([pid]) => !pids.has(pid))
      .map(([pid, name]) => `${name} (${pid})`);
    const report: SoakReport = {
      date: new Date().toISOString(),
      commit: measured,
      command: `npm run soak${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
      options,
      machine: {
        cpus: availableParallelism(),
        node: process.version,
        loadStart,
        loadEnd: Math.round(loadavg()[0]! * 100) / 100,
      },
      seconds,
      tally,
      samples,
      replaced,
    };
    console.log(`\n${formatSoakReport(report)}`);
    for (const [what, n] of unexpected) console.log(`unexpected × ${n}: ${what}`);
    if (!verdict(report).pass || unexpected.size) process.exitCode = 1;
  } finally {
    await site?.stop();
    if (!options.keepDb) await dropDatabase(serverUrl, DATABASE);
  }
}

main().then(
  () => process.exit(),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
