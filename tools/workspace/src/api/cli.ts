// `npm run api`: writes each published package's API report (API.md) from its declarations, keeping
// what changed since its last release. `npm run api -- --check` writes nothing and fails, naming the
// package and the names, when an API differs from its report or changed without the changeset it
// needs (npm test runs it through tools/workspace/test/api.test.ts).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { apiProblems, nextReport, pendingBumps } from './compare.ts';
import { extractApis, publishedPackages, reportPath } from './extract.ts';
import { parseReport, renderReport, type Report } from './report.ts';

/** Checks (or, with `write`, rewrites) the reports of the workspace at `root`; answers the problems. */
export function runApi(opts: {
  root: string;
  write: boolean;
  log?: (line: string) => void;
  /** Which package folders to look at (default: every published one). */
  only?: (dir: string) => boolean;
}): string[] {
  const log = opts.log ?? (() => {});
  const packages = publishedPackages(opts.root).filter((p) => opts.only?.(p.dir) ?? true);
  const apis = extractApis(opts.root, packages);
  const pending = pendingBumps(join(opts.root, '.changeset'));
  const problems: string[] = [];
  for (const pkg of packages) {
    const file = reportPath(pkg);
    const shown = relative(opts.root, file);
    let old: Report | undefined;
    try {
      old = existsSync(file) ? parseReport(readFileSync(file, 'utf8')) : undefined;
    } catch (err) {
      problems.push(`${pkg.name}: ${shown}: ${(err as Error).message}`);
      continue;
    }
    // Printed and read back, as the report will be, so both sides are compared the same way.
    const fresh = { name: pkg.name, version: pkg.version, released: new Map() };
    const entries = new Map(apis.get(pkg.name)!.map((e) => [e.key, e]));
    const current = parseReport(renderReport({ ...fresh, entries })).entries;
    if (opts.write) {
      const text = renderReport(nextReport(pkg.name, pkg.version, old, current));
      if (!existsSync(file) || readFileSync(file, 'utf8') !== text) {
        writeFileSync(file, text);
        log(`wrote ${shown}`);
      }
      old = parseReport(text);
    }
    problems.push(
      ...apiProblems({
        name: pkg.name,
        version: pkg.version,
        reportFile: shown,
        report: old,
        current,
        pending: pending.get(pkg.name),
      }),
    );
  }
  return problems;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { check: { type: 'boolean' }, root: { type: 'string' } },
  });
  const root = values.root ?? new URL('../../../../', import.meta.url).pathname;
  const problems = runApi({ root, write: !values.check, log: console.log });
  for (const p of problems) console.error(p);
  if (!problems.length) console.log('Every published package matches its API report.');
  process.exit(problems.length ? 1 : 0);
}
