// `npm test` itself: its total, its check of the working tree, and what it asks of the machine.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ensureSystemPackages,
  installCommand,
  type Machine,
  type Requirement,
} from '../src/test-command/system.ts';
import { countReport, failedTasks, totals, type VitestReport } from '../src/test-command/totals.ts';
import { treeChanges, treeState } from '../src/test-command/tree.ts';

const root = new URL('../../../', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'tessera-test-command-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** vitest's own JSON report for test files written into a scratch folder. */
function vitestReport(files: Record<string, string>): VitestReport {
  const dir = mkdtempSync(join(scratch, 'vitest-'));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  try {
    execFileSync(
      join(root, 'node_modules', '.bin', 'vitest'),
      [
        'run',
        '--root',
        dir,
        '--reporter=json',
        '--outputFile=report.json',
        '--coverage.enabled=false',
      ],
      { cwd: dir, stdio: 'ignore' },
    );
  } catch {
    // the files fail on purpose
  }
  return JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
}

describe('the total line', () => {
  it('counts the tests a failed beforeAll kept from running as failed, and a file that does not load as one failure', () => {
    const report = vitestReport({
      'loads.test.ts':
        "import { it } from 'vitest';\nit('passes', () => {});\nit.skip('is skipped', () => {});\n",
      'broken.test.ts':
        "import './missing-module.ts';\nimport { it } from 'vitest';\nit('never runs', () => {});\n",
      'setup.test.ts':
        "import { beforeAll, it } from 'vitest';\nbeforeAll(() => { throw new Error('no browser'); });\nit('a', () => {});\nit('b', () => {});\n",
    });
    const count = countReport(report);
    expect(count).toMatchObject({ passed: 1, failed: 3, skipped: 1 });
    expect(count.notes.join('\n')).toMatch(/broken\.test\.ts: .*missing-module/);
    expect(count.notes.join('\n')).toMatch(
      /setup\.test\.ts: the tests it did not run count as failed/,
    );
  });

  it('counts a project whose test target failed without a report, and a failed lint, as failed', () => {
    const green: VitestReport = {
      testResults: [
        { name: '/w/a.test.ts', status: 'passed', assertionResults: [{ status: 'passed' }] },
      ],
    };
    const all = totals(
      [
        { dir: 'packages/a', name: '@t/a', report: green },
        { dir: 'packages/b', name: '@t/b' },
        { dir: 'packages/c', name: '@t/c', report: green },
        { dir: 'packages/d', name: '@t/d' },
      ],
      ['@t/b:test', '@t/c:test', '@t/a:lint'],
    );
    // a: 1 passed; b: no report → 1 failed; c: green report but its target failed (coverage) → 1
    // failed; d: not run; a's lint → 1 failed.
    expect(all).toMatchObject({ passed: 2, failed: 3 });
    expect(all.notes).toEqual([
      'packages/b: its test target failed before writing a report',
      'packages/c: its test target failed after the tests (see its output above)',
      '@t/a:lint failed',
    ]);
  });

  it('reads the failed tasks from the end of nx run-many output', () => {
    const out = [
      '> nx run @t/a:test',
      ' - not a task',
      '\x1b[31m NX \x1b[39m  Running targets lint, test for 2 projects failed',
      '',
      '   \x1b[2mFailed tasks:\x1b[22m',
      '',
      '   \x1b[2m-\x1b[22m @tessera/site:test',
      '   \x1b[2m-\x1b[22m @tessera/core:lint',
      '',
      '   Hint: run with --verbose',
    ].join('\n');
    expect(failedTasks(out)).toEqual(['@tessera/site:test', '@tessera/core:lint']);
    expect(failedTasks('NX   Successfully ran targets')).toEqual([]);
  });
});

describe('the working-tree check', () => {
  const repo = join(scratch, 'repo');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
  mkdirSync(join(repo, 'docs'), { recursive: true });
  writeFileSync(join(repo, '.gitignore'), '.reports/\n');
  writeFileSync(join(repo, 'docs', 'shot.png'), 'old');
  writeFileSync(join(repo, 'notes.md'), 'mine');
  git('init', '-q');
  git('add', '.');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'init');

  it('sees a test rewrite a tracked file or leave a new one, and not what git ignores', () => {
    writeFileSync(join(repo, 'notes.md'), 'an edit of mine, before the run');
    const before = treeState(repo)!;
    writeFileSync(join(repo, 'docs', 'shot.png'), 'new');
    writeFileSync(join(repo, 'left-behind.txt'), 'x');
    mkdirSync(join(repo, '.reports'));
    writeFileSync(join(repo, '.reports', 'vitest.json'), '{}');
    expect(treeChanges(before, treeState(repo)!)).toEqual([
      '  modified  docs/shot.png',
      '  new       left-behind.txt',
    ]);
    // A file already changed before the run and written again by it is a change too.
    writeFileSync(join(repo, 'notes.md'), 'rewritten by a test');
    expect(treeChanges(before, treeState(repo)!)).toContain('  modified  notes.md');
  });

  it('answers nothing outside a git checkout', () => {
    expect(treeState(tmpdir())).toBeUndefined();
  });
});

describe('the system packages the tests need', () => {
  const need = (apt: string, present: boolean[]): Requirement => ({
    apt,
    neededBy: `a test runs ${apt}`,
    present: () => present.shift() ?? true,
  });
  const machine = (over: Partial<Machine>, ran: string[][] = []): Machine => ({
    isRoot: false,
    hasAptGet: true,
    run: (command, args) => (ran.push([command, ...args]), true),
    log: () => {},
    ...over,
  });

  it('stop a user who is not root with what is missing, why, and the exact command', () => {
    const result = ensureSystemPackages(machine({}), [
      need('chromium', [false]),
      need('nginx', [false]),
      need('redis-server', [true]),
    ]);
    expect(result.ok).toBe(false);
    const message = (result as { message: string }).message;
    expect(message).toContain('a test runs chromium');
    expect(message).not.toContain('redis-server');
    expect(message).toContain('  sudo apt-get install -y chromium nginx\n');
  });

  it('are installed with apt-get when npm test runs as root', () => {
    const ran: string[][] = [];
    const result = ensureSystemPackages(machine({ isRoot: true }, ran), [
      need('nginx', [false, true]),
    ]);
    expect(result).toEqual({ ok: true });
    expect(ran).toEqual([
      ['apt-get', 'update', '-qq'],
      ['apt-get', 'install', '-y', '-qq', 'nginx'],
    ]);
  });

  it('stop with the command when the installation fails, or there is no apt-get', () => {
    const failed = ensureSystemPackages(machine({ isRoot: true, run: () => false }), [
      need('nginx', [false, false]),
    ]);
    expect(failed).toMatchObject({
      ok: false,
      message: expect.stringContaining('apt-get install -y nginx'),
    });
    const elsewhere = ensureSystemPackages(machine({ hasAptGet: false }), [need('nginx', [false])]);
    expect(elsewhere).toMatchObject({
      ok: false,
      message: expect.stringContaining('On Debian or Ubuntu'),
    });
    expect(installCommand(['nginx'], true)).toBe('apt-get install -y nginx');
  });
});
