// `npm test`: lint, typecheck and test every project through Nx, then print one total line
// ("N passed, N failed") from the projects' vitest JSON reports, as CI reads it.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
const projects = ['packages', 'apps', 'tools'].flatMap((dir) =>
  existsSync(join(root, dir))
    ? readdirSync(join(root, dir)).map((name) => join(root, dir, name))
    : [],
);
for (const p of projects) rmSync(join(p, '.reports'), { recursive: true, force: true });

const extra = process.argv.slice(2);
const run = spawnSync(
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
    ...extra,
  ],
  { stdio: 'inherit', cwd: root },
);

let passed = 0;
let failed = 0;
let skipped = 0;
const rows = [];
for (const p of projects) {
  const report = join(p, '.reports', 'vitest.json');
  if (!existsSync(report)) continue;
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  rows.push(
    `  ${p.slice(root.length).padEnd(28)} ${r.numPassedTests} passed, ${r.numFailedTests} failed`,
  );
}
console.log('\nTest totals by project:');
console.log(rows.join('\n'));
if (run.status !== 0 && failed === 0) failed = 1; // lint or typecheck failed: never report green
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(run.status === 0 && failed === 0 ? 0 : 1);
