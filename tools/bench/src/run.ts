// npm run bench: how fast the composed site is, against a raw Fastify "hello world" measured in
// the same run on the same machine (the framework's floor). Loopback only, bounded durations,
// a warm-up and the median of 3 runs per workload. Writes docs/benchmarks.md and .json.
//
//   npm run bench                      the full run (10k entries, then the 1M scale run)
//   npm run bench -- --no-scale        without the 1,000,000-entry run
//   npm run bench -- --quick           short runs, 100k entries for the scale run (a smoke test;
//                                      it does not write docs/ unless --out is given)
//   npm run bench -- --out <dir>       where to write benchmarks.md and benchmarks.json
//   npm run bench -- --keep-db         leave the seeded database for a look afterwards
//   npm run bench -- --render          write docs/benchmarks.md again from docs/benchmarks.json
//                                      (the notes as they are now; the numbers as measured)
//   npm run bench -- --only W5,W6      only these rows (W1…W6, rss, cold, deep, sql); prints the
//                                      table and writes nothing to docs/
//
// PostgreSQL: TESSERA_BENCH_SERVER_URL (default postgres://postgres@127.0.0.1:5432); the run drops
// and recreates the database `tessera_bench` there (and drops it at the end), and nothing else.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { admin, benchServerUrl, dropDatabase, recreateDatabase } from './database.ts';
import { measure, measurePaired, type LoadOptions, type Measurement, type Paired } from './load.ts';
import { describeMachine } from './machine.ts';
import {
  get,
  migrateSite,
  startFloor,
  startHandwritten,
  startSite,
  type Child,
} from './processes.ts';
import { renderMarkdown, type BenchReport, type WorkloadResult } from './report.ts';
import { SEED, seed } from './seed.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DATABASE = 'tessera_bench';
const ENTRIES = 10_000;
const SCALE_ENTRIES = 1_000_000;
const PER_PAGE = 10;

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const scale = !argv.includes('--no-scale');
const keepDb = argv.includes('--keep-db');
const outAt = argv.indexOf('--out');
const outDir = outAt >= 0 ? argv[outAt + 1] : quick ? undefined : join(ROOT, 'docs');

const LOAD: Required<Omit<LoadOptions, 'headers' | 'timeoutSeconds'>> = quick
  ? { connections: 50, seconds: 2, warmupSeconds: 1, runs: 1 }
  : { connections: 50, seconds: 5, warmupSeconds: 2, runs: 3 };
/** The scale run: one measured run per page (each costs a minute of seeding already). */
const SCALE_LOAD: Required<Omit<LoadOptions, 'headers' | 'timeoutSeconds'>> = quick
  ? { connections: 50, seconds: 2, warmupSeconds: 1, runs: 1 }
  : { connections: 50, seconds: 5, warmupSeconds: 2, runs: 1 };
const scaleEntries = quick ? 100_000 : SCALE_ENTRIES;

const serverUrl = benchServerUrl();
const databaseUrl = `${serverUrl}/${DATABASE}`;

const log = (line: string) => console.log(`[bench ${clock()}] ${line}`);
const runStarted = performance.now();
function clock(): string {
  const s = Math.round((performance.now() - runStarted) / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** Fails unless `url` answers what the workload claims to measure. */
type Check = (res: Awaited<ReturnType<typeof get>>) => string | undefined;

const count = (text: string, needle: string) => text.split(needle).length - 1;

/** The list itself (a site's layout may show tags or authors elsewhere, in a sidebar). */
const listSection = (body: string) => {
  const at = body.indexOf('class="blog entry-list"');
  return at < 0 ? '' : body.slice(at, body.indexOf('</section>', at));
};

/**
 * A blog list page: 10 entries, each with its author and 3 tags. `numbered`: it shows "Page
 * <page> of <pages>" (a page reached by an "older than" link shows no number, or the right one);
 * and it links to older entries unless it is the last page.
 */
const listPage =
  (pages: number, page = 1, numbered = true): Check =>
  (res) => {
    if (res.status !== 200) return `status ${res.status}`;
    const list = listSection(res.body);
    if (count(list, 'class="entry-summary') !== PER_PAGE) return 'not 10 entries';
    if (count(list, 'rel="author"') !== PER_PAGE) return 'not 10 authors';
    if (count(list, 'rel="tag"') !== PER_PAGE * SEED.tagsPerEntry) return 'not 3 tags each';
    const shown = list.includes(`Page ${page} of ${pages}`);
    if (numbered ? !shown : list.includes('Page ') && !shown)
      return `no "Page ${page} of ${pages}"`;
    if (page < pages !== list.includes('rel="next"')) return 'a wrong "Older entries" link';
    return undefined;
  };

/** The JSON entry list: 10 entries with author and tags, and the count. */
const listApi =
  (total: number): Check =>
  (res) => {
    if (res.status !== 200) return `status ${res.status}`;
    const body = JSON.parse(res.body) as {
      count: number;
      results: { author: unknown; tags: unknown[] }[];
    };
    if (body.count !== total) return `count ${body.count}`;
    if (body.results.length !== PER_PAGE) return 'not 10 entries';
    if (!body.results.every((r) => r.author && r.tags.length === SEED.tagsPerEntry))
      return 'an entry without author or 3 tags';
    return undefined;
  };

/** A page the cache answers: the second request is a HIT. */
const cached =
  (inner?: Check): Check =>
  (res) => {
    if (res.headers['x-cache'] !== 'HIT') return `x-cache ${String(res.headers['x-cache'])}`;
    return inner?.(res);
  };

const plainPage: Check = (res) => (res.status === 200 ? undefined : `status ${res.status}`);

async function check(site: Child, path: string, fn: Check): Promise<void> {
  await get(site.url + path); // a cached page's first request fills the cache
  const res = await get(site.url + path);
  const why = fn(res);
  if (why) throw new Error(`GET ${path} does not answer what the workload measures: ${why}.`);
}

async function load(
  site: Child,
  path: string,
  opts: Required<Omit<LoadOptions, 'headers' | 'timeoutSeconds'>> = LOAD,
): Promise<Measurement> {
  const m = await measure(site.url + path, opts);
  log(
    `  ${path}: ${Math.round(m.rps)} req/s, p99 ${m.p99ms.toFixed(1)} ms (runs ${m.runs.map(Math.round).join(', ')})`,
  );
  warnIfFailed(path, m);
  return m;
}

/** A workload's runs, each right after a floor run. */
async function loadPaired(site: Child, floor: Child, path: string): Promise<Paired> {
  const p = await measurePaired(site.url + path, `${floor.url}/`, LOAD);
  log(
    `  ${path}: ${Math.round(p.workload.rps)} req/s, p99 ${p.workload.p99ms.toFixed(1)} ms; ` +
      `floor ${p.floor.runs.map(Math.round).join(', ')}; runs ${p.workload.runs.map(Math.round).join(', ')}; ` +
      `${(p.ratio * 100).toFixed(1)}% of the floor`,
  );
  warnIfFailed(path, p.workload);
  return p;
}

function warnIfFailed(path: string, m: Measurement): void {
  if (m.errors || m.non2xx)
    log(`  ! ${path}: ${m.errors} socket errors, ${m.non2xx} non-2xx responses`);
}

/** The process's resident memory in MiB (and, logged, how much of it is the JavaScript heap). */
async function rss(site: Child): Promise<number> {
  const m = await site.ask<{ rss: number; heapUsed?: number; heapTotal?: number }>({
    type: 'rss',
  });
  const mib = (n: number) => Math.round((n / 2 ** 20) * 10) / 10;
  if (m.heapUsed !== undefined)
    log(`  memory: RSS ${mib(m.rss)} MiB, heap ${mib(m.heapUsed)} of ${mib(m.heapTotal ?? 0)} MiB`);
  return mib(m.rss);
}

async function queries(site: Child, urls: string[]) {
  const { results } = await site.ask<{
    results: { url: string; status: number; queries: number }[];
  }>({ type: 'queries', urls });
  for (const r of results) {
    if (r.status !== 200) throw new Error(`GET ${r.url} answered ${r.status} while counting.`);
  }
  return results;
}

interface Goal {
  id: string;
  name: string;
  path: string;
  site: WorkloadResult['site'];
  goal: number;
}

const GOALS: Goal[] = [
  {
    id: 'W1',
    name: 'Blog list page, HTML, cache off',
    path: '/blog/',
    site: 'no-cache',
    goal: 0.05,
  },
  { id: 'W2', name: 'Blog list page, HTML, cache app on', path: '/blog/', site: 'full', goal: 0.5 },
  { id: 'W3', name: 'JSON entry list API', path: '/blog/api/entries', site: 'no-cache', goal: 0.1 },
  { id: 'W4', name: 'Home page through the full site', path: '/', site: 'full', goal: 0.5 },
  {
    id: 'W5',
    name: '`/healthz` through the full stack',
    path: '/healthz',
    site: 'full',
    goal: 0.6,
  },
  {
    id: 'W6',
    name: 'The same list page hand-written on Fastify + MikroORM + Nunjucks, no Tessera',
    path: '/blog/',
    site: 'handwritten',
    goal: 0,
  },
];

/** W1 against W6: Tessera's list page at least this many times the hand-written one's req/s. */
const W1_OVER_W6 = 3;
const RSS_GOAL_MIB = 200;
const COLD_START_GOAL_MS = 1500;
const COLD_STARTS = quick ? 1 : 3;
/** Every page a visitor reaches by links at least this share of page 1's req/s. */
const DEEP_GOAL = 0.5;
const SQL_GOAL = 1;

/** The rows `--only` can pick (comma-separated; any case). */
const ROWS = ['W1', 'W2', 'W3', 'W4', 'W5', 'W6', 'rss', 'cold', 'deep', 'sql'] as const;
type Row = (typeof ROWS)[number];
const onlyAt = argv.indexOf('--only');
const only = onlyAt >= 0 ? new Set(argv[onlyAt + 1]!.split(',').map((x) => x.trim())) : undefined;
const unknownRow = [...(only ?? [])].find(
  (x) => !ROWS.some((r) => r.toLowerCase() === x.toLowerCase()),
);
if (unknownRow) throw new Error(`--only: no row '${unknownRow}' (rows: ${ROWS.join(', ')}).`);
const wants = (row: Row) =>
  !only ? row !== 'deep' || scale : [...only].some((x) => x.toLowerCase() === row.toLowerCase());

/** Follows one redirect (an old deep page number answers where that page now lives). */
async function resolved(site: Child, path: string): Promise<string> {
  const res = await get(site.url + path);
  const to = res.headers.location;
  if (res.status >= 300 && res.status < 400 && typeof to === 'string') {
    return new URL(to, site.url + path).pathname + new URL(to, site.url + path).search;
  }
  return path;
}

/** The last page of the list a visitor reaches by following "Older entries" from page 1. */
async function deepestLinked(site: Child, pages: number): Promise<string> {
  return resolved(site, `/blog/?page=${pages}`);
}

async function main(): Promise<void> {
  const machine = await admin(serverUrl, async () => describeMachine(serverUrl));
  log(
    `${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, load ${machine.loadAverage}; ${machine.node}; ${machine.postgres}; ${machine.loadTool}`,
  );
  const started = new Date();
  const measured = new Map<string, Paired>();
  const children: Child[] = [];
  const stopAll = () => Promise.all(children.map((c) => c.stop()));
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  const rssAfter: { site: string; after: string; mib: number }[] = [];
  let perPage: BenchReport['queriesPerPage'] = [];
  const coldStarts: number[] = [];

  try {
    log(`database ${DATABASE}: dropped and created; the site's migrations applied`);
    await recreateDatabase(serverUrl, DATABASE);
    const migrations = await migrateSite(databaseUrl);
    const seedSeconds = await seed(databaseUrl, { entries: ENTRIES, ...SEED });
    log(
      `seeded ${ENTRIES} live entries, ${SEED.authors} authors, ${SEED.tags} tags (${SEED.tagsPerEntry} each) in ${seedSeconds.toFixed(1)} s`,
    );
    const pages = ENTRIES / PER_PAGE;

    // The floor runs the whole time (idle while a site starts): each workload's runs alternate
    // with floor runs.
    const anyWorkload = GOALS.some((g) => wants(g.id as Row));
    let floor: Child | undefined;
    let floorStart: Measurement | undefined;
    if (anyWorkload) {
      log('floor: raw Fastify hello world');
      floor = await startFloor();
      children.push(floor);
      floorStart = await load(floor, '/');
    }
    const workload = async (site: Child, g: Goal, label: string) => {
      if (!wants(g.id as Row)) return;
      measured.set(g.id, await loadPaired(site, floor!, g.path));
      const mib = await rss(site);
      rssAfter.push({ site: label, after: g.id, mib });
      log(`  RSS after ${g.id}: ${mib} MiB`);
    };
    const goal = (id: string) => GOALS.find((g) => g.id === id)!;

    // W1, W3, SQL per page: the production site without the cache app.
    if (wants('W1') || wants('W3') || wants('sql')) {
      log('site without the cache app (W1, W3)');
      const bare = await startSite(databaseUrl, { cache: false, logLevel: 'warn' }, '/blog/');
      children.push(bare.child);
      await check(bare.child, '/blog/', listPage(pages));
      await check(bare.child, '/blog/api/entries', listApi(ENTRIES));
      if (wants('sql')) {
        const deepest = await deepestLinked(bare.child, pages);
        perPage = await queries(bare.child, [
          '/blog/',
          '/blog/?page=2',
          await resolved(bare.child, `/blog/?page=${pages / 2}`),
          deepest,
          '/blog/api/entries',
        ]);
        log(`  SQL statements per page: ${perPage.map((q) => `${q.url} ${q.queries}`).join(', ')}`);
      }
      await workload(bare.child, goal('W1'), 'no-cache');
      await workload(bare.child, goal('W3'), 'no-cache');
      await bare.child.stop();
    }

    // W2, W4, W5 and RSS: the production site as configured (every app, the cache included),
    // one process through every workload it serves.
    if (wants('W2') || wants('W4') || wants('W5') || wants('rss')) {
      log('site with every app (W2, W4, W5)');
      const full = await startSite(databaseUrl, { cache: true, logLevel: 'warn' }, '/');
      children.push(full.child);
      await check(full.child, '/blog/', cached(listPage(pages)));
      await check(full.child, '/', cached(plainPage));
      await check(full.child, '/healthz', plainPage);
      rssAfter.push({ site: 'full', after: 'start', mib: await rss(full.child) });
      await workload(full.child, goal('W2'), 'full');
      await workload(full.child, goal('W4'), 'full');
      await workload(full.child, goal('W5'), 'full');
      if (wants('rss')) {
        // Every list page once (the cache app keeps each): what the caches hold at most.
        for (let p = 1; p <= pages; p++) await get(`${full.child.url}/blog/?page=${p}`);
        rssAfter.push({ site: 'full', after: `${pages} pages`, mib: await rss(full.child) });
        log(`  RSS after every list page: ${rssAfter.at(-1)!.mib} MiB`);
      }
      await full.child.stop();
    }

    // W6: what a team writes without Tessera.
    if (wants('W6')) {
      log('hand-written list page (W6)');
      const hand = await startHandwritten(databaseUrl);
      children.push(hand.child);
      await check(hand.child, '/blog/', listPage(pages));
      await workload(hand.child, goal('W6'), 'handwritten');
      await hand.child.stop();
    }
    if (floor) await floor.stop();

    // Cold start: process spawn to the first 200 of `/`, the median of a few.
    if (wants('cold')) {
      log(`cold start (${COLD_STARTS} spawns)`);
      for (let i = 0; i < COLD_STARTS; i++) {
        const s = await startSite(databaseUrl, { cache: true, logLevel: 'warn' }, '/');
        children.push(s.child);
        await s.child.stop();
        coldStarts.push(Math.round(s.coldStartMs));
      }
      log(`  ${coldStarts.join(', ')} ms`);
    }

    let scaleResult: BenchReport['scale'];
    if (wants('deep')) {
      log(`scale run: ${scaleEntries.toLocaleString('en')} entries`);
      const seconds = await seed(databaseUrl, { entries: scaleEntries, ...SEED });
      log(`  seeded in ${seconds.toFixed(1)} s`);
      const scalePages = scaleEntries / PER_PAGE;
      const mid = Math.floor(scalePages / 2);
      const big = await startSite(databaseUrl, { cache: false, logLevel: 'warn' }, '/blog/');
      children.push(big.child);
      await check(big.child, '/blog/', listPage(scalePages));
      const midPath = await resolved(big.child, `/blog/?page=${mid}`);
      const lastPath = await deepestLinked(big.child, scalePages);
      await check(big.child, midPath, listPage(scalePages, mid, false));
      await check(big.child, lastPath, listPage(scalePages, scalePages, false));
      const scaleQueries = await queries(big.child, ['/blog/', midPath, lastPath]);
      const first = await load(big.child, '/blog/', SCALE_LOAD);
      const midM = await load(big.child, midPath, SCALE_LOAD);
      const lastM = await load(big.child, lastPath, SCALE_LOAD);
      await big.child.stop();
      scaleResult = {
        entries: scaleEntries,
        seedSeconds: round(seconds, 1),
        coldStartMs: Math.round(big.coldStartMs),
        load: SCALE_LOAD,
        queries: scaleQueries,
        goal: DEEP_GOAL,
        pages: [
          { label: 'page 1', path: '/blog/', ...summary(first) },
          { label: `page ${mid.toLocaleString('en')}`, path: midPath, ...summary(midM) },
          {
            label: `page ${scalePages.toLocaleString('en')} (the last)`,
            path: lastPath,
            ...summary(lastM),
          },
        ],
      };
    }

    const workloads: WorkloadResult[] = GOALS.flatMap((g) => {
      const p = measured.get(g.id);
      if (!p) return [];
      const m = p.workload;
      const ok = m.errors === 0 && m.non2xx === 0;
      const w1 = measured.get('W1');
      const over = g.id === 'W6' && w1 ? w1.ratio / p.ratio : undefined;
      return [
        {
          id: g.id,
          name: g.name,
          path: g.path,
          site: g.site,
          ...summary(m),
          floor: summary(p.floor),
          ratio: round(p.ratio, 4),
          ratios: p.ratios.map((r) => round(r, 4)),
          goal: g.goal,
          ...(g.id === 'W6' ? { w1Over: over === undefined ? null : round(over, 2) } : {}),
          pass:
            ok && (g.id === 'W6' ? over !== undefined && over >= W1_OVER_W6 : p.ratio >= g.goal),
        },
      ];
    });

    machine.loadAverageEnd = Math.round(loadavg()[0]! * 100) / 100;
    const report: BenchReport = {
      date: started.toISOString(),
      durationSeconds: Math.round((performance.now() - runStarted) / 1000),
      command: `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
      machine,
      load: LOAD,
      seed: { entries: ENTRIES, ...SEED, seconds: round(seedSeconds, 1), migrations },
      ...(floorStart ? { floor: summary(floorStart) } : {}),
      workloads,
      goals: {
        w1OverW6: W1_OVER_W6,
        rssMiB: RSS_GOAL_MIB,
        coldStartMs: COLD_START_GOAL_MS,
        deep: DEEP_GOAL,
        sql: SQL_GOAL,
      },
      queriesPerPage: perPage,
      coldStartMs: coldStarts,
      rssMiB: rssAfter,
      scale: scaleResult,
    };
    const md = renderMarkdown(report);
    console.log(`\n${md.split('\n## ')[0]!.split('\n').slice(2).join('\n')}`);
    if (outDir && !only) {
      mkdirSync(outDir, { recursive: true });
      const mdFile = join(outDir, 'benchmarks.md');
      const jsonFile = join(outDir, 'benchmarks.json');
      writeFileSync(mdFile, await formatted(mdFile, md));
      writeFileSync(jsonFile, await formatted(jsonFile, `${JSON.stringify(report, null, 2)}\n`));
      log(`wrote ${relative(process.cwd(), join(outDir, 'benchmarks.md'))} and benchmarks.json`);
    }
    log(`done in ${clock()}`);
  } finally {
    await stopAll();
    // A million entries is a gigabyte on a server others may share.
    if (!keepDb) await dropDatabase(serverUrl, DATABASE);
  }
}

/** The repository's Prettier style, so the files written are the files committed. */
async function formatted(file: string, text: string): Promise<string> {
  try {
    const prettier = await import('prettier');
    const config = (await prettier.resolveConfig(file)) ?? {};
    return await prettier.format(text, { ...config, filepath: file });
  } catch {
    return text;
  }
}

function summary(m: Measurement) {
  return {
    rps: Math.round(m.rps),
    p99ms: round(m.p99ms, 2),
    runs: m.runs.map(Math.round),
    errors: m.errors,
    non2xx: m.non2xx,
  };
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** `--render`: the Markdown of the last run, with the notes as they are now. */
async function render(): Promise<void> {
  const dir = outDir ?? join(ROOT, 'docs');
  const report = JSON.parse(readFileSync(join(dir, 'benchmarks.json'), 'utf8')) as BenchReport;
  const mdFile = join(dir, 'benchmarks.md');
  writeFileSync(mdFile, await formatted(mdFile, renderMarkdown(report)));
  log(`wrote ${relative(process.cwd(), mdFile)} from benchmarks.json`);
}

(argv.includes('--render') ? render() : main()).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
