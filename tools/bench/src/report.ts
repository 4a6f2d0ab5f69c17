// docs/benchmarks.md and docs/benchmarks.json from one run.
import type { Machine } from './machine.ts';
import { NOTES, METHOD, HISTORY } from './notes.ts';

/** One load measurement, as reported. */
export interface Summary {
  rps: number;
  p99ms: number;
  /** req/s of each measured run. */
  runs: number[];
  errors: number;
  non2xx: number;
}

/** A workload with its goal. */
export interface WorkloadResult extends Summary {
  id: string;
  name: string;
  path: string;
  site: 'no-cache' | 'full' | 'handwritten';
  /** The floor's runs made alternately with this workload's. */
  floor: Summary;
  /** The median of each workload run's req/s over the floor run just before it. */
  ratio: number;
  ratios: number[];
  goal: number;
  /** W6 only: W1's ratio over W6's (the goal is W1 ≥ 3× W6); null when W1 was not measured. */
  w1Over?: number | null;
  pass: boolean;
}

/** Everything one run measured (benchmarks.json). */
export interface BenchReport {
  date: string;
  durationSeconds: number;
  command: string;
  machine: Machine;
  load: { connections: number; seconds: number; warmupSeconds: number; runs: number };
  seed: {
    entries: number;
    authors: number;
    tags: number;
    tagsPerEntry: number;
    seconds: number;
    migrations: number;
  };
  /** The floor measured alone at the start (each workload also has its own floor runs). */
  floor?: Summary;
  workloads: WorkloadResult[];
  goals: { w1OverW6: number; rssMiB: number; coldStartMs: number; deep: number; sql: number };
  /** SQL statements each list page sends (counted at the pg driver). */
  queriesPerPage: { url: string; status: number; queries: number }[];
  /** Each cold start: process spawn to the first 200 of `/` with every app. */
  coldStartMs: number[];
  /** RSS of each site process after start and after each workload it served. */
  rssMiB: { site: string; after: string; mib: number }[];
  scale?: {
    entries: number;
    seedSeconds: number;
    coldStartMs: number;
    load: { connections: number; seconds: number; warmupSeconds: number; runs: number };
    queries: { url: string; status: number; queries: number }[];
    /** Every page reached by links at least this share of page 1's req/s. */
    goal: number;
    pages: (Summary & { label: string; path: string })[];
  };
}

const n = (x: number) => Math.round(x).toLocaleString('en');
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The report as Markdown: the table first, then how it was measured and what bounds each miss. */
export function renderMarkdown(r: BenchReport): string {
  const m = r.machine;
  const lines: string[] = [];
  lines.push('# Benchmarks', '');
  lines.push(
    `Measured ${r.date.slice(0, 16).replace('T', ' ')} UTC with \`${r.command}\` (${Math.round(r.durationSeconds / 6) / 10} min), commit ${m.commit}.`,
    '',
  );
  const rows = goalRows(r);
  lines.push(
    `| workload | req/s | p99 | floor, same minutes | of floor | goal | |`,
    `| --- | ---: | ---: | ---: | ---: | ---: | --- |`,
  );
  if (r.floor)
    lines.push(
      `| floor: raw Fastify hello world (alone, at the start) | ${n(r.floor.rps)} | ${r.floor.p99ms} ms | | 100% | | |`,
    );
  for (const w of r.workloads) {
    const goal =
      w.id === 'W6'
        ? `W1 ≥ ${r.goals.w1OverW6}× W6${w.w1Over == null ? '' : ` (W1 is ${w.w1Over}×)`}`
        : `≥ ${pct(w.goal)}`;
    lines.push(
      `| ${w.id} ${w.name} (\`${w.path}\`) | ${n(w.rps)} | ${w.p99ms} ms | ${n(w.floor.rps)} | ${pct(w.ratio)} | ${goal} | ${verdict(w.pass)} |`,
    );
  }
  if (rows.length) {
    lines.push('', '| measure | result | goal | |', '| --- | --- | ---: | --- |');
    for (const row of rows)
      lines.push(`| ${row.name} | ${row.result} | ${row.goal} | ${verdict(row.pass)} |`);
  }
  lines.push('');
  if (r.workloads.length)
    lines.push(
      `- Ratios: each workload's ${r.load.runs} runs alternate with ${r.load.runs} floor runs (floor, workload, floor, …); a ratio is a workload run over the floor run just before it, and the median ratio is reported. Per run: ${r.workloads.map((w) => `${w.id} ${w.ratios.map((x) => pct(x)).join(' / ')}`).join('; ')}.`,
    );
  if (r.rssMiB.length)
    lines.push(
      `- RSS by process and workload: ${r.rssMiB.map((x) => `${x.site} after ${x.after} ${x.mib} MiB`).join(', ')}.`,
    );
  if (r.scale) {
    const s = r.scale;
    lines.push(
      '',
      `### Scale: ${n(s.entries)} entries (cache off, ${s.load.connections} connections)`,
      '',
    );
    lines.push(
      '| page | req/s | p99 | of page 1 | SQL statements |',
      '| --- | ---: | ---: | ---: | ---: |',
    );
    const first = s.pages[0]!.rps;
    for (const p of s.pages) {
      const qs = s.queries.find((x) => x.url === p.path)?.queries ?? '';
      lines.push(
        `| ${p.label} (\`${p.path}\`) | ${n(p.rps)} | ${p.p99ms} ms | ${first ? pct(p.rps / first) : ''} | ${qs} |`,
      );
    }
    lines.push(
      '',
      `Seeded in ${s.seedSeconds} s; cold start ${n(s.coldStartMs)} ms; ${s.load.runs} run of ${s.load.seconds} s after a ${s.load.warmupSeconds} s warm-up per page. A deep page is reached the way a visitor reaches it: its old page number is requested and its redirect, if any, followed.`,
    );
  }
  lines.push('', '## Machine', '');
  lines.push(
    `- ${m.cpus} CPUs: ${m.cpuModel}; ${m.memoryGiB} GiB memory (${m.freeMemoryGiB} GiB free at the start)`,
    `- ${m.kernel}; load average ${m.loadAverage} when the run started${m.loadAverageEnd === undefined ? '' : `, ${m.loadAverageEnd} when it ended`} (the machine is shared with other engineers' test runs: their load moves every number, the floor included, and the lowest load found that morning was ~10)`,
    `- Node ${m.node}; ${m.postgres} on 127.0.0.1; ${m.loadTool}`,
    `- ${r.load.connections} connections, ${r.load.runs} runs of ${r.load.seconds} s after a ${r.load.warmupSeconds} s warm-up; the median run is reported (each run's req/s is in benchmarks.json)`,
    `- Seed: ${n(r.seed.entries)} live entries, ${r.seed.authors} authors, ${r.seed.tags} tags, ${r.seed.tagsPerEntry} tags per entry (${r.seed.seconds} s, SQL); ${r.seed.migrations} migrations applied by the site`,
  );
  const missed = [
    ...r.workloads
      .filter((w) => !w.pass)
      .map((w) => ({
        id: w.id,
        title:
          w.id === 'W6'
            ? `${w.id} ${w.name}: W1 is ${w.w1Over ?? '?'}× W6 (goal ${r.goals.w1OverW6}×)`
            : `${w.id} ${w.name}: ${pct(w.ratio)} of the floor (goal ${pct(w.goal)})`,
      })),
    ...rows.filter((x) => !x.pass).map((x) => ({ id: x.id, title: `${x.name}: ${x.result}` })),
  ];
  if (missed.length) {
    lines.push('', '## Below goal: what bounds it, what was tried', '');
    for (const w of missed) {
      lines.push(`### ${w.title}`, '');
      lines.push(NOTES[w.id] ?? 'No note written for this row yet.', '');
    }
  }
  lines.push('', METHOD.trim(), '', HISTORY.trim(), '');
  return lines.join('\n');
}

const verdict = (pass: boolean) => (pass ? 'pass' : '**below goal**');

/** The rows that are not a ratio to the floor: memory, cold start, deep pages, SQL per page. */
function goalRows(
  r: BenchReport,
): { id: string; name: string; result: string; goal: string; pass: boolean }[] {
  const rows = [];
  if (r.rssMiB.length) {
    const top = r.rssMiB.reduce((a, b) => (b.mib > a.mib ? b : a));
    rows.push({
      id: 'rss',
      name: 'RSS after every workload, one process per site',
      result: `${top.mib} MiB at most (${top.site}, after ${top.after})`,
      goal: `≤ ${r.goals.rssMiB} MiB`,
      pass: top.mib <= r.goals.rssMiB,
    });
  }
  if (r.coldStartMs.length) {
    const sorted = [...r.coldStartMs].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    rows.push({
      id: 'cold',
      name: 'Cold start, spawn to first 200 of `/` (every app)',
      result: `${n(median)} ms (median of ${r.coldStartMs.map(n).join(', ')})`,
      goal: `≤ ${n(r.goals.coldStartMs)} ms`,
      pass: median <= r.goals.coldStartMs,
    });
  }
  if (r.scale) {
    const [first, ...deep] = r.scale.pages;
    const worst = deep.reduce((a, b) => (b.rps < a.rps ? b : a), deep[0]!);
    const share = first!.rps ? worst.rps / first!.rps : 0;
    rows.push({
      id: 'deep',
      name: `Deep list pages at ${n(r.scale.entries)} entries`,
      result: `${worst.label}: ${n(worst.rps)} req/s, ${pct(share)} of page 1's ${n(first!.rps)}`,
      goal: `≥ ${pct(r.goals.deep)} of page 1`,
      pass: share >= r.goals.deep,
    });
  }
  const counted = [...r.queriesPerPage, ...(r.scale?.queries ?? [])];
  if (counted.length) {
    const top = Math.max(...counted.map((q) => q.queries));
    rows.push({
      id: 'sql',
      name: 'SQL statements per list page',
      result: counted.map((q) => `\`${q.url}\` ${q.queries}`).join(', '),
      goal: `${r.goals.sql}`,
      pass: top <= r.goals.sql,
    });
  }
  return rows;
}
