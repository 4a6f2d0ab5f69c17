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
  site: 'no-cache' | 'full';
  /** The floor's runs made alternately with this workload's. */
  floor: Summary;
  /** The median of each workload run's req/s over the floor run just before it. */
  ratio: number;
  ratios: number[];
  goal: number;
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
  floor: Summary;
  workloads: WorkloadResult[];
  queriesPerPage: { url: string; status: number; queries: number }[];
  coldStartMs: { noCache: number; full: number };
  rssMiB: { noCache: number; full: number };
  scale?: {
    entries: number;
    seedSeconds: number;
    coldStartMs: number;
    load: { connections: number; seconds: number; warmupSeconds: number; runs: number };
    queries: { url: string; status: number; queries: number }[];
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
  lines.push(
    `| workload | req/s | p99 | floor, same minutes | of floor | goal | |`,
    `| --- | ---: | ---: | ---: | ---: | ---: | --- |`,
    `| floor: raw Fastify hello world (alone, at the start) | ${n(r.floor.rps)} | ${r.floor.p99ms} ms | | 100% | | |`,
  );
  for (const w of r.workloads) {
    lines.push(
      `| ${w.id} ${w.name} (\`${w.path}\`) | ${n(w.rps)} | ${w.p99ms} ms | ${n(w.floor.rps)} | ${pct(w.ratio)} | ≥ ${pct(w.goal)} | ${w.pass ? 'pass' : '**below goal**'} |`,
    );
  }
  lines.push('');
  const q = r.queriesPerPage;
  lines.push(
    `- SQL queries per page (W1 \`/blog/\` and its deeper pages; counted at the driver): ${q.map((x) => `\`${x.url}\` ${x.queries}`).join(', ')}.`,
    `- Cold start, process spawn to first 200: ${n(r.coldStartMs.full)} ms with every app (\`/\`), ${n(r.coldStartMs.noCache)} ms without the cache app (\`/blog/\`).`,
    `- RSS after the run: ${r.rssMiB.full} MiB (every app, after W2 and W4), ${r.rssMiB.noCache} MiB (without the cache app, after W1 and W3).`,
    `- Ratios: each workload's ${r.load.runs} runs alternate with ${r.load.runs} floor runs (floor, workload, floor, …); a ratio is a workload run over the floor run just before it, and the median ratio is reported. Per run: ${r.workloads.map((w) => `${w.id} ${w.ratios.map((x) => pct(x)).join(' / ')}`).join('; ')}.`,
  );
  if (r.scale) {
    const s = r.scale;
    lines.push(
      '',
      `### Scale: ${n(s.entries)} entries (cache off, ${s.load.connections} connections)`,
      '',
    );
    lines.push('| page | req/s | p99 | SQL queries |', '| --- | ---: | ---: | ---: |');
    for (const p of s.pages) {
      const qs = s.queries.find((x) => x.url === p.path)?.queries ?? '';
      lines.push(`| ${p.label} (\`${p.path}\`) | ${n(p.rps)} | ${p.p99ms} ms | ${qs} |`);
    }
    lines.push(
      '',
      `Seeded in ${s.seedSeconds} s; cold start ${n(s.coldStartMs)} ms; ${s.load.runs} run of ${s.load.seconds} s after a ${s.load.warmupSeconds} s warm-up per page.`,
    );
  }
  lines.push('', '## Machine', '');
  lines.push(
    `- ${m.cpus} CPUs: ${m.cpuModel}; ${m.memoryGiB} GiB memory (${m.freeMemoryGiB} GiB free at the start)`,
    `- ${m.kernel}; load average ${m.loadAverage} when the run started (the machine is shared: other work moves every number, the floor included)`,
    `- Node ${m.node}; ${m.postgres} on 127.0.0.1; ${m.loadTool}`,
    `- ${r.load.connections} connections, ${r.load.runs} runs of ${r.load.seconds} s after a ${r.load.warmupSeconds} s warm-up; the median run is reported (each run's req/s is in benchmarks.json)`,
    `- Seed: ${n(r.seed.entries)} live entries, ${r.seed.authors} authors, ${r.seed.tags} tags, ${r.seed.tagsPerEntry} tags per entry (${r.seed.seconds} s, SQL); ${r.seed.migrations} migrations applied by the site`,
  );
  const missed = r.workloads.filter((w) => !w.pass);
  if (missed.length) {
    lines.push('', '## Below goal: what bounds it, what was tried', '');
    for (const w of missed) {
      lines.push(`### ${w.id} ${w.name}: ${pct(w.ratio)} of the floor (goal ${pct(w.goal)})`, '');
      lines.push(NOTES[w.id] ?? 'No note written for this workload yet.', '');
    }
  }
  lines.push('', METHOD.trim(), '', HISTORY.trim(), '');
  return lines.join('\n');
}
