// The figures of a soak run and how they are read and written: its options, the processes'
// memory as Linux reports it (/proc), the requests tallied, and the report (Markdown). No I/O
// here, so every piece is tested on its own (test/soak-report.test.ts); soak.ts does the rest.

/** What `npm run soak -- …` takes. */
export interface SoakOptions {
  /** How long the load runs (`--duration 5m`, `300s`, `300`): 5 minutes by default. */
  durationSeconds: number;
  /** How often every process's memory is sampled (`--sample 30s`). */
  sampleSeconds: number;
  /** Visitors looping at once (`--connections 8`). */
  connections: number;
  /** Web processes of `tessera serve` (`--workers 2`, production's default). */
  workers: number;
  /** Run the cache and the rate limit on Redis (`--redis [url]`). */
  redisUrl?: string;
  /** Leave the soak's database for a look afterwards (`--keep-db`). */
  keepDb: boolean;
}

export const DEFAULT_SOAK: Omit<SoakOptions, 'redisUrl'> = {
  durationSeconds: 300,
  sampleSeconds: 30,
  connections: 8,
  workers: 2,
  keepDb: false,
};

/** The Redis `--redis` without a URL means: the REDIS_URL of the environment, else this one. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** `5m`, `90s`, `1m30s`, `300` (seconds) → seconds; throws on anything else. */
export function parseDuration(text: string): number {
  const m = /^(?:(\d+)m)?(?:(\d+)s?)?$/.exec(text.trim());
  const seconds = m ? Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0) : NaN;
  if (!m || !text.trim() || !(seconds > 0))
    throw new Error(`Not a duration: '${text}' (write 5m, 90s, 1m30s or 300).`);
  return seconds;
}

/** Reads the command line; an unknown flag or a bad value throws, naming it. */
export function parseSoakArgs(argv: readonly string[], env: NodeJS.ProcessEnv = {}): SoakOptions {
  const o: SoakOptions = { ...DEFAULT_SOAK };
  const whole = (flag: string, v: string | undefined, min: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`${flag} needs a whole number of at least ${min}, not '${v ?? ''}'.`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value.`);
      return v;
    };
    if (flag === '--duration') o.durationSeconds = parseDuration(next());
    else if (flag === '--sample') o.sampleSeconds = parseDuration(next());
    else if (flag === '--connections') o.connections = whole(flag, next(), 1);
    else if (flag === '--workers') o.workers = whole(flag, next(), 1);
    else if (flag === '--keep-db') o.keepDb = true;
    else if (flag === '--redis')
      o.redisUrl =
        argv[i + 1]?.startsWith('redis://') === true
          ? argv[++i]
          : (env.REDIS_URL ?? DEFAULT_REDIS_URL);
    else throw new Error(`Unknown option '${flag}'.`);
  }
  if (o.redisUrl && !isLoopback(new URL(o.redisUrl).hostname))
    throw new Error(`The soak only uses a Redis on loopback, not ${new URL(o.redisUrl).hostname}.`);
  return o;
}

function isLoopback(host: string): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(host);
}

/** `pid` and parent `ppid` from the text of `/proc/<pid>/stat` (the name may hold spaces or parentheses). */
export function parseProcStat(text: string): { pid: number; ppid: number } {
  const close = text.lastIndexOf(')');
  const pid = Number.parseInt(text, 10);
  const fields = text.slice(close + 2).split(' ');
  const ppid = Number(fields[1]);
  if (close < 0 || !Number.isInteger(pid) || !Number.isInteger(ppid))
    throw new Error(`Not a /proc/<pid>/stat line: ${text.slice(0, 80)}`);
  return { pid, ppid };
}

/** Resident memory in MiB from the text of `/proc/<pid>/status` (its `VmRSS: … kB` line). */
export function parseVmRss(status: string): number {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!m) throw new Error('No VmRSS line in /proc/<pid>/status.');
  return round(Number(m[1]) / 1024, 1);
}

/** One process of the site as sampled. */
export interface ProcessMemory {
  /** `primary`, `web worker 1`, `job worker 1`: stable across samples (by pid). */
  name: string;
  pid: number;
  rssMiB: number;
}

/** Every process's memory at one moment of the run. */
export interface Sample {
  /** Seconds since the load began. */
  at: number;
  processes: ProcessMemory[];
  /** Requests answered by then. */
  requests: number;
  /** Where the workers' memory is, summed over them, from the site's /metrics (MiB). */
  heap?: HeapFigures;
}

/** The JavaScript heap and what lives outside it, as prom-client's default metrics report them. */
export interface HeapFigures {
  /** `nodejs_heap_size_used_bytes`: live JavaScript objects. */
  heapUsed: number;
  /** `nodejs_heap_size_total_bytes`: the heap V8 has reserved. */
  heapTotal: number;
  /** `nodejs_external_memory_bytes`: memory of C++ objects bound to JavaScript (Buffers among them). */
  external: number;
}

/**
 * The heap figures (MiB) from the Prometheus text of `/metrics`, each summed over its series
 * (the cluster's workers); null when one is missing.
 */
export function parseHeapFigures(text: string): HeapFigures | null {
  const sum = (name: string) => {
    let total: number | undefined;
    for (const line of text.split('\n')) {
      const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`).exec(line);
      if (m) total = (total ?? 0) + Number(m[1]);
    }
    return total === undefined ? undefined : round(total / 2 ** 20, 1);
  };
  const heapUsed = sum('nodejs_heap_size_used_bytes');
  const heapTotal = sum('nodejs_heap_size_total_bytes');
  const external = sum('nodejs_external_memory_bytes');
  if (heapUsed === undefined || heapTotal === undefined || external === undefined) return null;
  return { heapUsed, heapTotal, external };
}

/** What the load sent and what came back, by kind of request. */
export interface Tally {
  requests: number;
  /** Any 5xx answer. */
  serverErrors: number;
  /** Connection reset, refused, timed out: no answer at all. */
  socketErrors: number;
  /** Answers by status (`200`, `303`, `404`, …). */
  byStatus: Record<string, number>;
  /** Requests and errors (5xx or socket) of each kind of work. */
  byKind: Record<string, { requests: number; errors: number }>;
}

export function emptyTally(): Tally {
  return { requests: 0, serverErrors: 0, socketErrors: 0, byStatus: {}, byKind: {} };
}

/** Counts one request of `kind`: its status, or `'socket'` when no answer came. */
export function count(tally: Tally, kind: string, status: number | 'socket'): void {
  tally.requests += 1;
  const k = (tally.byKind[kind] ??= { requests: 0, errors: 0 });
  k.requests += 1;
  if (status === 'socket') {
    tally.socketErrors += 1;
    k.errors += 1;
    return;
  }
  tally.byStatus[String(status)] = (tally.byStatus[String(status)] ?? 0) + 1;
  if (status >= 500) {
    tally.serverErrors += 1;
    k.errors += 1;
  }
}

/** One process's memory over the run: at the start, at the marks, at the end, and the growth. */
export interface MemoryLine {
  name: string;
  pid: number;
  /** MiB at the first sample, and at the samples at 1 and 3 minutes (absent if none is near). */
  start: number;
  minute1?: number;
  minute3?: number;
  end: number;
  /** % growth from the start, from minute 1 and from minute 3 to the end. */
  growth: number;
  growthFrom1?: number;
  growthFrom3?: number;
  /**
   * The lowest and highest MiB from the 1-minute mark on (after the warm-up): a process whose
   * garbage collector gives memory back swings between them; a leak raises both.
   */
  low?: number;
  high?: number;
}

/** How far from the 1- and 3-minute marks a sample may be to stand for them, in seconds. */
const MARK_SLACK = 15;

/**
 * The memory of each process over the run. A process absent from a sample (replaced after a
 * crash) is reported from its own first sample.
 */
export function memoryLines(samples: readonly Sample[]): MemoryLine[] {
  const names = [...new Set(samples.flatMap((s) => s.processes.map((p) => `${p.name}\0${p.pid}`)))];
  return names.map((key) => {
    const [name, pid] = key.split('\0') as [string, string];
    const seen = samples.flatMap((s) => {
      const p = s.processes.find((x) => x.name === name && x.pid === Number(pid));
      return p ? [{ at: s.at, mib: p.rssMiB }] : [];
    });
    const first = seen[0]!;
    const last = seen.at(-1)!;
    // The sample nearest the mark, if one is within MARK_SLACK seconds of it.
    const near = (at: number) => {
      const best = seen.reduce((a, b) => (Math.abs(b.at - at) < Math.abs(a.at - at) ? b : a));
      return Math.abs(best.at - at) <= MARK_SLACK ? best.mib : undefined;
    };
    const minute1 = near(60);
    const minute3 = near(180);
    const warm = seen.filter((x) => x.at >= 60 - MARK_SLACK).map((x) => x.mib);
    return {
      name,
      pid: Number(pid),
      start: first.mib,
      ...(minute1 === undefined ? {} : { minute1 }),
      ...(minute3 === undefined ? {} : { minute3 }),
      end: last.mib,
      growth: percent(first.mib, last.mib),
      ...(minute1 === undefined ? {} : { growthFrom1: percent(minute1, last.mib) }),
      ...(minute3 === undefined ? {} : { growthFrom3: percent(minute3, last.mib) }),
      ...(minute1 === undefined ? {} : { low: Math.min(...warm), high: Math.max(...warm) }),
    };
  });
}

function percent(from: number, to: number): number {
  return from > 0 ? round(((to - from) / from) * 100, 1) : 0;
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Everything a soak run reports. */
export interface SoakReport {
  date: string;
  commit: string;
  command: string;
  options: SoakOptions;
  machine: { cpus: number; node: string; loadStart: number; loadEnd: number };
  /** Seconds the load actually ran. */
  seconds: number;
  tally: Tally;
  samples: Sample[];
  /** Processes that exited during the run (a crash: the primary replaces them). */
  replaced: string[];
}

/** The goals of issue 18 (item 11): no error at all, and no process growing 10% or more. */
export const SOAK_GOALS = { errors: 0, rssGrowthPercent: 10 } as const;

/** Whether the run met the goals, and why not. */
export function verdict(report: SoakReport): { pass: boolean; reasons: string[] } {
  const reasons: string[] = [];
  const errors = report.tally.serverErrors + report.tally.socketErrors;
  if (errors > SOAK_GOALS.errors)
    reasons.push(
      `${errors} errors (${report.tally.serverErrors} 5xx, ${report.tally.socketErrors} socket)`,
    );
  for (const line of memoryLines(report.samples))
    if (line.growth >= SOAK_GOALS.rssGrowthPercent)
      reasons.push(`${line.name} RSS grew ${line.growth}% (${line.start} → ${line.end} MiB)`);
  if (report.replaced.length) reasons.push(`processes replaced: ${report.replaced.join(', ')}`);
  return { pass: reasons.length === 0, reasons };
}

const signed = (n: number | undefined) => (n === undefined ? '—' : `${n > 0 ? '+' : ''}${n}%`);
const mib = (n: number | undefined) => (n === undefined ? '—' : String(n));

/** The report as Markdown: the run, the requests, each process's memory and every sample. */
export function formatSoakReport(report: SoakReport): string {
  const { tally, options: o } = report;
  const { pass, reasons } = verdict(report);
  const rate = report.seconds > 0 ? Math.round(tally.requests / report.seconds) : 0;
  const lines = [
    `## Soak: ${pass ? 'goals met' : 'goals missed'}`,
    '',
    `${report.date}, commit ${report.commit}; \`${report.command}\`; ${report.machine.cpus} CPUs, ` +
      `${report.machine.node}; load average ${report.machine.loadStart} at the start, ` +
      `${report.machine.loadEnd} at the end.`,
    '',
    `\`tessera serve --workers ${o.workers} --job-workers 1\` with the production settings ` +
      `(${o.redisUrl ? 'cache and rate limit on Redis' : 'cache and rate limit in each process'}), ` +
      `${o.connections} visitors looping for ${report.seconds} s: ` +
      `**${tally.requests.toLocaleString('en')} requests** (${rate}/s), ` +
      `**${tally.serverErrors} 5xx, ${tally.socketErrors} socket errors**.`,
    ...(reasons.length ? ['', `Missed: ${reasons.join('; ')}.`] : []),
    '',
    '| kind | requests | errors |',
    '| --- | ---: | ---: |',
    ...Object.entries(tally.byKind)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([kind, k]) => `| ${kind} | ${k.requests.toLocaleString('en')} | ${k.errors} |`),
    '',
    `Answers by status: ${Object.entries(tally.byStatus)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([s, n]) => `${s} × ${n.toLocaleString('en')}`)
      .join(', ')}.`,
    '',
    '| process | start MiB | 1 min | 3 min | end | growth | from 1 min | from 3 min | from 1 min: low–high |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...memoryLines(report.samples).map(
      (l) =>
        `| ${l.name} (${l.pid}) | ${l.start} | ${mib(l.minute1)} | ${mib(l.minute3)} | ${l.end} | ` +
        `${signed(l.growth)} | ${signed(l.growthFrom1)} | ${signed(l.growthFrom3)} | ` +
        `${l.low === undefined ? '—' : `${l.low}–${l.high}`} |`,
    ),
    '',
    'Every sample (seconds since the load began: RSS MiB of each process; requests so far):',
    '',
    ...report.samples.map(
      (s) =>
        `- ${s.at} s: ${s.processes.map((p) => `${p.name} ${p.rssMiB}`).join(', ')}; ` +
        `${s.requests.toLocaleString('en')} requests` +
        (s.heap
          ? `; workers' heap ${s.heap.heapUsed} used of ${s.heap.heapTotal}, external ${s.heap.external}`
          : ''),
    ),
  ];
  return `${lines.join('\n')}\n`;
}
