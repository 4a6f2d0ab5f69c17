// What the numbers were measured on: they mean nothing without it.
import { execFileSync } from 'node:child_process';
import { cpus, freemem, loadavg, release, totalmem, type } from 'node:os';
import { availableParallelism } from 'node:os';
import pg from 'pg';
import { loadTool } from './load.ts';

/** The machine, the software and the commit a run measured. */
export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  freeMemoryGiB: number;
  /** 1-minute load average when the run started: other work on the machine skews every number. */
  loadAverage: number;
  /** 1-minute load average when the run ended (other engineers' tests come and go). */
  loadAverageEnd?: number;
  kernel: string;
  node: string;
  postgres: string;
  loadTool: string;
  commit: string;
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return '';
  }
}

/** Reads the machine, and PostgreSQL's version from the server the bench uses. */
export async function describeMachine(serverUrl: string): Promise<Machine> {
  const client = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  client.on('error', () => {});
  await client.connect();
  let postgres: string;
  try {
    const { rows } = await client.query<{ v: string }>(
      `select current_setting('server_version') as v`,
    );
    postgres = `PostgreSQL ${rows[0]!.v}`;
  } finally {
    await client.end();
  }
  const commit = git(['rev-parse', '--short', 'HEAD']);
  const dirty = git(['status', '--porcelain']) ? ' (with uncommitted changes)' : '';
  return {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    freeMemoryGiB: Math.round((freemem() / 2 ** 30) * 10) / 10,
    loadAverage: Math.round(loadavg()[0]! * 100) / 100,
    kernel: `${type()} ${release()}`,
    node: process.version,
    postgres,
    loadTool: loadTool().version,
    commit: commit ? `${commit}${dirty}` : 'unknown',
  };
}
