// One load measurement against 127.0.0.1: wrk when it is installed (C, cheaper on a 2-core
// machine), autocannon otherwise. Bounded duration, a warm-up first, median of N runs.
import { execFileSync, spawnSync } from 'node:child_process';
import autocannon from 'autocannon';

/** What one workload measured. */
export interface Measurement {
  rps: number;
  p99ms: number;
  errors: number;
  non2xx: number;
  tool: 'wrk' | 'autocannon';
  /** req/s of every measured run, in the order they ran (the median's run is the one reported). */
  runs: number[];
}

/** How to load one URL. */
export interface LoadOptions {
  connections?: number;
  seconds?: number;
  warmupSeconds?: number;
  runs?: number;
  /** A request slower than this counts as a timeout (an error), not a latency. */
  timeoutSeconds?: number;
  headers?: Record<string, string>;
}

function hasWrk(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    // wrk --version exits 1 after printing its version
    return (err as { status?: number }).status === 1;
  }
}

const WRK = hasWrk();

/** The load tool this machine uses, and its version. */
export function loadTool(): { tool: 'wrk' | 'autocannon'; version: string } {
  if (!WRK) return { tool: 'autocannon', version: 'autocannon (npm)' };
  const out = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  const line = `${out.stdout}${out.stderr}`.split('\n')[0]!;
  return { tool: 'wrk', version: line.replace(/\s*\[.*$/, '').trim() };
}

function assertLoopback(url: string): void {
  const host = new URL(url).hostname;
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '[::1]') {
    throw new Error(`Load tests only ever target loopback, not ${host}.`);
  }
}

function wrkOnce(
  url: string,
  o: Required<Omit<LoadOptions, 'headers'>> & { headers: Record<string, string> },
  seconds: number,
): Measurement {
  const args = ['-t', '2', '-c', String(o.connections), '-d', `${seconds}s`, '--latency'];
  args.push('--timeout', `${o.timeoutSeconds}s`);
  for (const [k, v] of Object.entries(o.headers)) args.push('-H', `${k}: ${v}`);
  const out = spawnSync('wrk', [...args, url], { encoding: 'utf8' }).stdout;
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
  const p99raw = /\s99%\s+([\d.]+)(us|ms|s)/.exec(out);
  const p99ms = p99raw
    ? Number(p99raw[1]) * (p99raw[2] === 'us' ? 0.001 : p99raw[2] === 's' ? 1000 : 1)
    : NaN;
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const errs = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = errs ? errs.slice(1).reduce((s, n) => s + Number(n), 0) : 0;
  return { rps, p99ms, errors, non2xx, tool: 'wrk', runs: [rps] };
}

async function autocannonOnce(
  url: string,
  o: Required<Omit<LoadOptions, 'headers'>> & { headers: Record<string, string> },
  seconds: number,
): Promise<Measurement> {
  const r = await autocannon({
    url,
    connections: o.connections,
    duration: seconds,
    timeout: o.timeoutSeconds,
    headers: o.headers,
  });
  return {
    rps: r.requests.average,
    p99ms: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    tool: 'autocannon',
    runs: [r.requests.average],
  };
}

function resolve(opts: LoadOptions) {
  return {
    connections: 50,
    seconds: 10,
    warmupSeconds: 3,
    runs: 3,
    timeoutSeconds: 10,
    headers: {},
    ...opts,
  };
}

function runner(url: string, o: ReturnType<typeof resolve>) {
  assertLoopback(url);
  return (s: number) => (WRK ? Promise.resolve(wrkOnce(url, o, s)) : autocannonOnce(url, o, s));
}

/** The run with the median req/s, with every run's req/s. */
function median(results: Measurement[]): Measurement {
  const runs = results.map((r) => r.rps);
  const sorted = [...results].sort((a, b) => a.rps - b.rps);
  return { ...sorted[Math.floor(sorted.length / 2)]!, runs };
}

/** Warm up, then `runs` measured runs; answers the run with the median req/s. */
export async function measure(url: string, opts: LoadOptions = {}): Promise<Measurement> {
  const o = resolve(opts);
  const once = runner(url, o);
  if (o.warmupSeconds > 0) await once(o.warmupSeconds);
  const results: Measurement[] = [];
  for (let i = 0; i < o.runs; i++) results.push(await once(o.seconds));
  return median(results);
}

/** A workload measured against the floor in the same minutes. */
export interface Paired {
  workload: Measurement;
  floor: Measurement;
  /** The median of each run's workload req/s over the floor run just before it. */
  ratio: number;
  ratios: number[];
}

/**
 * Warm up `url`, then `runs` pairs of runs: the floor, then the workload. On a machine other work
 * shares, the load moves from minute to minute; a ratio of two runs made back to back moves less
 * than a ratio of runs made minutes apart.
 */
export async function measurePaired(
  url: string,
  floorUrl: string,
  opts: LoadOptions = {},
): Promise<Paired> {
  const o = resolve(opts);
  const once = runner(url, o);
  const floorOnce = runner(floorUrl, o);
  if (o.warmupSeconds > 0) await once(o.warmupSeconds);
  const workload: Measurement[] = [];
  const floor: Measurement[] = [];
  for (let i = 0; i < o.runs; i++) {
    floor.push(await floorOnce(o.seconds));
    workload.push(await once(o.seconds));
  }
  const ratios = workload.map((w, i) => (floor[i]!.rps > 0 ? w.rps / floor[i]!.rps : 0));
  const sorted = [...ratios].sort((a, b) => a - b);
  return {
    workload: median(workload),
    floor: median(floor),
    ratio: sorted[Math.floor(sorted.length / 2)]!,
    ratios,
  };
}
