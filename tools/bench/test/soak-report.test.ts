import { describe, expect, it } from 'vitest';
import {
  DEFAULT_REDIS_URL,
  count,
  emptyTally,
  formatSoakReport,
  memoryLines,
  parseDuration,
  parseHeapFigures,
  parseProcStat,
  parseSoakArgs,
  parseVmRss,
  verdict,
  type Sample,
  type SoakReport,
} from '../src/soak-report.ts';

describe('the command line', () => {
  it('reads durations in minutes, seconds or both', () => {
    expect(parseDuration('5m')).toBe(300);
    expect(parseDuration('90s')).toBe(90);
    expect(parseDuration('1m30s')).toBe(90);
    expect(parseDuration('300')).toBe(300);
    for (const bad of ['', '0', '5h', 'm', '-3', '1.5m'])
      expect(() => parseDuration(bad), bad).toThrow(/Not a duration/);
  });

  it('runs 5 minutes with 8 visitors and 2 web processes unless told otherwise', () => {
    expect(parseSoakArgs([])).toEqual({
      durationSeconds: 300,
      sampleSeconds: 30,
      connections: 8,
      workers: 2,
      keepDb: false,
    });
    expect(
      parseSoakArgs(['--duration', '90s', '--sample', '10s', '--connections', '4', '--keep-db']),
    ).toMatchObject({ durationSeconds: 90, sampleSeconds: 10, connections: 4, keepDb: true });
  });

  it('takes Redis from the flag, else REDIS_URL, else loopback; never another host', () => {
    expect(parseSoakArgs(['--redis']).redisUrl).toBe(DEFAULT_REDIS_URL);
    expect(parseSoakArgs(['--redis'], { REDIS_URL: 'redis://localhost:6380' }).redisUrl).toBe(
      'redis://localhost:6380',
    );
    expect(parseSoakArgs(['--redis', 'redis://127.0.0.1:6390/2']).redisUrl).toBe(
      'redis://127.0.0.1:6390/2',
    );
    expect(() => parseSoakArgs(['--redis', 'redis://cache.internal:6379'])).toThrow(/loopback/);
  });

  it('refuses an unknown flag, a missing value and a bad number, naming them', () => {
    expect(() => parseSoakArgs(['--durations', '5m'])).toThrow("Unknown option '--durations'.");
    expect(() => parseSoakArgs(['--duration'])).toThrow('--duration needs a value.');
    expect(() => parseSoakArgs(['--connections', '0'])).toThrow(/--connections needs a whole/);
    expect(() => parseSoakArgs(['--workers', 'two'])).toThrow(/--workers needs a whole/);
  });
});

describe('/proc', () => {
  it('reads the parent from a stat line, whatever the process name holds', () => {
    expect(parseProcStat('4242 (node) S 4200 4242 4200 0 -1 4194560 12')).toEqual({
      pid: 4242,
      ppid: 4200,
    });
    expect(parseProcStat('77 (tessera (web) 1) R 1 77 77 0')).toEqual({ pid: 77, ppid: 1 });
    expect(() => parseProcStat('garbage')).toThrow(/Not a \/proc/);
  });

  it('reads resident memory in MiB from a status file', () => {
    const status = 'Name:\tnode\nVmPeak:\t 1234 kB\nVmRSS:\t  393216 kB\nRssAnon:\t 1 kB\n';
    expect(parseVmRss(status)).toBe(384);
    expect(() => parseVmRss('Name:\tnode\n')).toThrow(/No VmRSS/);
  });
});

describe('/metrics', () => {
  it('sums each heap figure over the cluster’s series, in MiB', () => {
    const text = [
      '# HELP nodejs_heap_size_used_bytes Process heap size used from Node.js in bytes.',
      '# TYPE nodejs_heap_size_used_bytes gauge',
      'nodejs_heap_size_used_bytes 52428800',
      'nodejs_heap_size_used_bytes{worker="2"} 31457280',
      'nodejs_heap_size_total_bytes 104857600',
      'nodejs_external_memory_bytes 3145728',
      'nodejs_external_memory_bytes_other 99',
    ].join('\n');
    expect(parseHeapFigures(text)).toEqual({ heapUsed: 80, heapTotal: 100, external: 3 });
  });

  it('answers null when a figure is missing', () => {
    expect(parseHeapFigures('nodejs_heap_size_used_bytes 1\n')).toBeNull();
  });
});

describe('the tally', () => {
  it('counts 5xx answers and missing answers as errors, by kind; other statuses are not', () => {
    const t = emptyTally();
    count(t, 'page', 200);
    count(t, 'page', 404);
    count(t, 'page', 503);
    count(t, 'api', 'socket');
    count(t, 'api', 429);
    expect(t).toEqual({
      requests: 5,
      serverErrors: 1,
      socketErrors: 1,
      byStatus: { '200': 1, '404': 1, '429': 1, '503': 1 },
      byKind: { page: { requests: 3, errors: 1 }, api: { requests: 2, errors: 1 } },
    });
  });
});

const web = (pid: number, rssMiB: number) => ({ name: 'web worker 1', pid, rssMiB });
const samplesOf = (...points: [number, number][]): Sample[] =>
  points.map(([at, mib], i) => ({ at, processes: [web(10, mib)], requests: i * 100 }));

describe('memory over the run', () => {
  it('gives each process its start, 1-minute, 3-minute and end figures and the growth from each', () => {
    const samples = samplesOf([0, 200], [30, 300], [60, 360], [150, 370], [180, 380], [300, 390]);
    expect(memoryLines(samples)).toEqual([
      {
        name: 'web worker 1',
        pid: 10,
        start: 200,
        minute1: 360,
        minute3: 380,
        end: 390,
        growth: 95,
        growthFrom1: 8.3,
        growthFrom3: 2.6,
        low: 360,
        high: 390,
      },
    ]);
  });

  it('shows a collector’s swing after the warm-up as its low and high, not as growth', () => {
    const samples = samplesOf([0, 200], [60, 500], [120, 510], [180, 300], [240, 505], [300, 280]);
    expect(memoryLines(samples)[0]).toMatchObject({ growthFrom1: -44, low: 280, high: 510 });
  });

  it('leaves out the marks a short run never reached', () => {
    const [line] = memoryLines(samplesOf([0, 100], [20, 110]));
    expect(line).toEqual({ name: 'web worker 1', pid: 10, start: 100, end: 110, growth: 10 });
  });

  it('reports a replacement process from its own first sample, beside the one it replaced', () => {
    const samples: Sample[] = [
      { at: 0, processes: [web(10, 200)], requests: 0 },
      { at: 30, processes: [{ name: 'web worker 2', pid: 11, rssMiB: 150 }], requests: 5 },
      { at: 60, processes: [{ name: 'web worker 2', pid: 11, rssMiB: 165 }], requests: 9 },
    ];
    expect(memoryLines(samples).map((l) => [l.name, l.start, l.end, l.growth])).toEqual([
      ['web worker 1', 200, 200, 0],
      ['web worker 2', 150, 165, 10],
    ]);
  });
});

function reportOf(over: Partial<SoakReport> = {}): SoakReport {
  const tally = emptyTally();
  for (let i = 0; i < 1200; i++) count(tally, i % 3 ? 'page' : 'form post', i % 3 ? 200 : 303);
  return {
    date: '2026-12-06T20:00:00.000Z',
    commit: 'abc1234',
    command: 'npm run soak',
    options: { durationSeconds: 300, sampleSeconds: 30, connections: 8, workers: 2, keepDb: false },
    machine: { cpus: 2, node: 'v24.21.0', loadStart: 1.5, loadEnd: 2.25 },
    seconds: 300,
    tally,
    samples: samplesOf([0, 200], [60, 210], [180, 212], [300, 215]),
    replaced: [],
    ...over,
  };
}

describe('the verdict', () => {
  it('passes with no error and every process under 10% growth', () => {
    expect(verdict(reportOf())).toEqual({ pass: true, reasons: [] });
  });

  it('fails on any error, on 10% growth or more, and on a replaced process, saying which', () => {
    const tally = emptyTally();
    count(tally, 'page', 502);
    const { pass, reasons } = verdict(
      reportOf({
        tally,
        samples: samplesOf([0, 200], [300, 220]),
        replaced: ['web worker 1 (10)'],
      }),
    );
    expect(pass).toBe(false);
    expect(reasons).toEqual([
      '1 errors (1 5xx, 0 socket)',
      'web worker 1 RSS grew 10% (200 → 220 MiB)',
      'processes replaced: web worker 1 (10)',
    ]);
  });
});

describe('the report', () => {
  it('states the run, the requests by kind and status, and each process’s memory', () => {
    const text = formatSoakReport(reportOf());
    expect(text).toContain('## Soak: goals met');
    expect(text).toContain('commit abc1234');
    expect(text).toContain('load average 1.5 at the start, 2.25 at the end');
    expect(text).toContain('**1,200 requests** (4/s), **0 5xx, 0 socket errors**');
    expect(text).toContain('| form post | 400 | 0 |');
    expect(text).toContain('| page | 800 | 0 |');
    expect(text).toContain('Answers by status: 200 × 800, 303 × 400.');
    expect(text).toContain(
      '| web worker 1 (10) | 200 | 210 | 212 | 215 | +7.5% | +2.4% | +1.4% | 210–215 |',
    );
    expect(text).toContain('- 300 s: web worker 1 215; 300 requests\n');
    expect(text).not.toContain('Missed');
  });

  it('adds the workers’ heap to a sample that has it', () => {
    const [first, ...rest] = samplesOf([0, 200], [300, 215]);
    const heap = { heapUsed: 60, heapTotal: 90, external: 4 };
    const text = formatSoakReport(reportOf({ samples: [{ ...first!, heap }, ...rest] }));
    expect(text).toContain(
      "- 0 s: web worker 1 200; 0 requests; workers' heap 60 used of 90, external 4\n",
    );
  });

  it('says what was missed', () => {
    const text = formatSoakReport(reportOf({ samples: samplesOf([0, 100], [300, 150]) }));
    expect(text).toContain('## Soak: goals missed');
    expect(text).toContain('Missed: web worker 1 RSS grew 50% (100 → 150 MiB).');
    expect(text).toContain('| web worker 1 (10) | 100 | — | — | 150 | +50% | — | — | — |');
  });
});
