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
}

/** How to load one URL. */
export interface LoadOptions {
  connections?: number;
  seconds?: number;
  warmupSeconds?: number;
  runs?: number;
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
  return { rps, p99ms, errors, non2xx, tool: 'wrk' };
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
    headers: o.headers,
  });
  return {
    rps: r.requests.average,
    p99ms: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    tool: 'autocannon',
  };
}

/** Warm up, then `runs` measured runs; answers the run with the median req/s. */
export async function measure(url: string, opts: LoadOptions = {}): Promise<Measurement> {
  assertLoopback(url);
  const o = { connections: 50, seconds: 10, warmupSeconds: 3, runs: 3, headers: {}, ...opts };
  const once = (s: number) =>
    WRK ? Promise.resolve(wrkOnce(url, o, s)) : autocannonOnce(url, o, s);
  if (o.warmupSeconds > 0) await once(o.warmupSeconds);
  const results: Measurement[] = [];
  for (let i = 0; i < o.runs; i++) results.push(await once(o.seconds));
  results.sort((a, b) => a.rps - b.rps);
  return results[Math.floor(results.length / 2)]!;
}
