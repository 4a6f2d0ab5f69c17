// `npm test`: the system packages the tests need (installed, or a stop in the first seconds with
// the command to run), then lint, typecheck and test every project through Nx, then one total line
// ("N passed, N failed") from the projects' vitest JSON reports, as CI reads it. A run that changes
// the git working tree fails: tests write to temporary folders and ignored paths only.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureRedis, ensureSystemPackages } from '../workspace/src/test-command/system.ts';
import { failedTasks, totals } from '../workspace/src/test-command/totals.ts';
import { treeChanges, treeState } from '../workspace/src/test-command/tree.ts';

const root = new URL('../../', import.meta.url).pathname;

const system = ensureSystemPackages();
if (!system.ok) {
  console.error(`\n${system.message}`);
  process.exit(1);
}
const redis = await ensureRedis().catch((err) => {
  console.error(`\n${err.message}`);
  process.exit(1);
});
const stopRedis = () => redis?.kill();
process.once('SIGINT', () => {
  stopRedis();
  process.exit(130);
});

const projects = ['packages', 'apps', 'tools'].flatMap((group) =>
  existsSync(join(root, group))
    ? readdirSync(join(root, group))
        .map((name) => `${group}/${name}`)
        .filter((dir) => existsSync(join(root, dir, 'package.json')))
    : [],
);
for (const dir of projects) rmSync(join(root, dir, '.reports'), { recursive: true, force: true });
const before = treeState(root);

// Nx's output is shown as it comes and kept, for the list of failed tasks it ends with.
let output = '';
const nx = spawn(
  'npx',
  [
    'nx',
    'run-many',
    '-t',
    'lint',
    'typecheck',
    'test',
    '--output-style=static',
    '--skip-nx-cache',
    ...process.argv.slice(2),
  ],
  {
    cwd: root,
    stdio: ['inherit', 'pipe', 'pipe'],
    env: { ...process.env, ...(process.stdout.isTTY ? { FORCE_COLOR: '1' } : {}) },
  },
);
// Nx prints the failed tasks to stderr.
for (const [from, to] of [
  [nx.stdout, process.stdout],
  [nx.stderr, process.stderr],
])
  from.on('data', (d) => {
    output += d;
    to.write(d);
  });
const status = await new Promise((resolve) => nx.on('close', (code) => resolve(code ?? 1)));
stopRedis();

const runs = projects.map((dir) => {
  const report = join(root, dir, '.reports', 'vitest.json');
  const { name } = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
  return {
    dir,
    name,
    report: existsSync(report) ? JSON.parse(readFileSync(report, 'utf8')) : undefined,
  };
});
const total = totals(runs, failedTasks(output), root);
console.log('\nTest totals by project:');
console.log(total.rows.join('\n') || '  (no test reports)');

const after = treeState(root);
const changed = before && after ? treeChanges(before, after) : [];
if (changed.length) {
  total.failed += 1;
  total.notes.push(
    `the run changed the git working tree; a test must write to a temporary folder, not here:\n${changed.join('\n')}`,
  );
}
if (status !== 0 && total.failed === 0) {
  total.failed = 1;
  total.notes.push(`nx run-many exited with ${status}`);
}
if (total.notes.length)
  console.log(`\nCounted as failed:\n${total.notes.map((n) => `- ${n}`).join('\n')}`);
console.log(
  `\n${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`,
);
process.exit(total.failed === 0 ? 0 : 1);
