// The closing total of `npm test`, from every project's vitest JSON report and the tasks Nx says failed.

/** The parts of vitest's JSON report (`.reports/vitest.json`) the total reads. */
export interface VitestReport {
  testResults: {
    /** The test file. */
    name: string;
    /** `failed` when the file did not load, a hook failed or a test failed. */
    status: string;
    message?: string;
    assertionResults: { status: string }[];
  }[];
}

/** Tests counted one way. */
export interface Count {
  passed: number;
  failed: number;
  skipped: number;
  /** Why something counted as failed that no test result says failed. */
  notes: string[];
}

/** What one project's run left behind. */
export interface ProjectRun {
  /** The project's folder, relative to the workspace (`apps/site`). */
  dir: string;
  /** Its Nx project name (`@tessera/site`). */
  name: string;
  report?: VitestReport;
}

/**
 * Counts a report. A test that did not pass, in a file that failed, failed: vitest calls the tests
 * that a failing `beforeAll` kept from running "skipped", and a file that does not load has none.
 * A failed file with no failed test of its own (it did not load, or a hook after its tests failed)
 * counts as one failed test, so it can never hide in the total.
 */
export function countReport(report: VitestReport, root = ''): Count {
  const count: Count = { passed: 0, failed: 0, skipped: 0, notes: [] };
  for (const file of report.testResults) {
    const passed = file.assertionResults.filter((t) => t.status === 'passed').length;
    const other = file.assertionResults.length - passed;
    count.passed += passed;
    if (file.status !== 'failed') {
      count.failed += file.assertionResults.filter((t) => t.status === 'failed').length;
      count.skipped += file.assertionResults.filter(
        (t) => t.status !== 'passed' && t.status !== 'failed',
      ).length;
      continue;
    }
    count.failed += Math.max(other, 1);
    const where = file.name.startsWith(root) ? file.name.slice(root.length) : file.name;
    const why = (file.message ?? '').split('\n')[0]!.trim() || 'failed outside its tests';
    if (other === 0) count.notes.push(`${where}: ${why}`);
    else if (file.assertionResults.some((t) => t.status !== 'passed' && t.status !== 'failed'))
      count.notes.push(`${where}: the tests it did not run count as failed (${why})`);
  }
  return count;
}

/** The Nx task ids (`@tessera/site:test`) under "Failed tasks:" in `nx run-many` output. */
export function failedTasks(output: string): string[] {
  // eslint-disable-next-line no-control-regex
  const lines = output.replace(/\x1b\[[0-9;]*m/g, '').split('\n');
  const at = lines.findLastIndex((l) => l.trim() === 'Failed tasks:');
  if (at < 0) return [];
  const out: string[] = [];
  for (const line of lines.slice(at + 1)) {
    const m = /^\s*-\s+(\S+:\S+)\s*$/.exec(line);
    if (m) out.push(m[1]!);
    else if (line.trim() || out.length) break;
  }
  return out;
}

/** The total over every project, a row per project, and the reasons behind counted failures. */
export function totals(
  runs: ProjectRun[],
  failed: string[],
  root = '',
): Count & { rows: string[] } {
  const all: Count & { rows: string[] } = { passed: 0, failed: 0, skipped: 0, notes: [], rows: [] };
  for (const run of runs) {
    const testFailed = failed.includes(`${run.name}:test`);
    let c: Count;
    if (run.report) {
      c = countReport(run.report, root);
      // vitest exited non-zero with every test green: a coverage threshold, an unhandled error.
      if (testFailed && c.failed === 0) {
        c.failed = 1;
        c.notes.push(`${run.dir}: its test target failed after the tests (see its output above)`);
      }
    } else if (testFailed) {
      c = {
        passed: 0,
        failed: 1,
        skipped: 0,
        notes: [`${run.dir}: its test target failed before writing a report`],
      };
    } else continue;
    all.passed += c.passed;
    all.failed += c.failed;
    all.skipped += c.skipped;
    all.notes.push(...c.notes);
    all.rows.push(
      `  ${run.dir.padEnd(28)} ${c.passed} passed, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped` : ''}`,
    );
  }
  for (const task of failed.filter((t) => !t.endsWith(':test'))) {
    all.failed += 1;
    all.notes.push(`${task} failed`);
  }
  return all;
}
