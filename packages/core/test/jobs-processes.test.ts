// Jobs across processes: real `tessera worker` processes on one database share the work, fire a
// schedule once between them, and finish or hand back what runs when they are stopped. Every wait
// is bounded; nothing asserts how long anything took.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSite, type TestSite } from '@tessera/testing';
import { transaction } from '../src/index.ts';
import { freePort } from '../src/internal.ts';
import { ChoreRun, chores } from './fixtures/chores/index.ts';

const TESSERA = fileURLToPath(new URL('../bin/tessera.js', import.meta.url));
const SETTINGS = fileURLToPath(new URL('./fixtures/jobs-settings.ts', import.meta.url));

/** A `tessera worker` process. */
interface Worker {
  child: ChildProcess;
  output(): string;
  /** SIGTERM; resolves with how it exited. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Polls until `check` answers true; fails naming `what` after `ms`. */
async function until(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`Never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts `tessera worker` on `t`'s database; resolves once it says it is ready. */
function startWorker(t: TestSite, env: Record<string, string> = {}): Promise<Worker> {
  return startTessera(t, 'worker', env, /Worker \d+ ready/);
}

/** Starts `tessera <command>` on `t`'s database; resolves once its output matches `ready`. */
async function startTessera(
  t: TestSite,
  command: string,
  env: Record<string, string>,
  ready: RegExp,
): Promise<Worker> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^(VITEST|NODE_OPTIONS|TESSERA_|WEB_CONCURRENCY|JOB_WORKERS)/.test(k),
    ),
  );
  const child = spawn(
    process.execPath,
    ['--conditions=source', TESSERA, command, '--settings', SETTINGS],
    {
      env: { ...clean, TESSERA_JOBS_DATABASE_URL: t.databaseUrl, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const worker: Worker = {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
  await until(`tessera ${command} (${child.pid}) ready`, async () => {
    if (child.exitCode !== null) throw new Error(`tessera ${command} exited:\n${output}`);
    return ready.test(output);
  });
  return worker;
}

/** Rows of `chores_run` of `kind`, oldest first. */
function runs(t: TestSite, kind: string): Promise<ChoreRun[]> {
  return t.em().find(ChoreRun, { kind }, { orderBy: { id: 'asc' } });
}

describe('tessera worker processes', () => {
  let t: TestSite;
  const started: Worker[] = [];
  const worker = async (env?: Record<string, string>) => {
    const w = await startWorker(t, env);
    started.push(w);
    return w;
  };
  beforeAll(async () => {
    t = await createTestSite({ apps: [chores()] });
  });
  afterAll(async () => {
    for (const w of started) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await t.close();
  });

  it('two workers take 100 jobs between them and run each exactly once', async () => {
    await transaction(t.em(), async () => {
      for (let n = 0; n < 100; n++)
        await t.site.jobs.enqueue('chores:record', { n, barrier: true });
    });
    // The fixture holds each process's first run until the other process has started one.
    const [a, b] = await Promise.all([worker(), worker()]);
    await until('100 chores done', async () => (await runs(t, 'done')).length >= 100, 120_000);
    expect(await a!.stop()).toEqual({ code: 0, signal: null });
    expect(await b!.stop()).toEqual({ code: 0, signal: null });

    const done = await runs(t, 'done');
    expect(done).toHaveLength(100);
    expect(new Set(done.map((r) => r.n)).size).toBe(100);
    expect(new Set(done.map((r) => r.jobId)).size).toBe(100);
    expect(done.every((r) => r.attempt === 1)).toBe(true);
    expect(new Set(done.map((r) => r.pid))).toEqual(new Set([a!.child.pid, b!.child.pid]));
    const figures = (await t.site.jobs.figures()).find((f) => f.name === 'chores:record');
    expect(figures).toMatchObject({ queued: 0, active: 0, failed: 0, completed: 100 });
  }, 180_000);

  it('a worker stopped mid-job hands it back, and it runs once later', async () => {
    await t.site.jobs.enqueue('chores:hold', { n: 1001 });
    const w = await worker({ TESSERA_JOBS_SHUTDOWN_MS: '1000' });
    await until('the job started', async () => (await runs(t, 'start')).some((r) => r.n === 1001));
    expect(await w.stop()).toEqual({ code: 0, signal: null });
    expect(w.output()).toContain('SIGTERM: running jobs finish or are handed back');

    const [back] = await t.site.jobs.queued('chores:hold');
    expect(back).toMatchObject({ state: 'retry', runs: 1, payload: { n: 1001 } });
    expect((await runs(t, 'done')).filter((r) => r.n === 1001)).toEqual([]);
    expect(await t.site.jobs.drain({ only: 'chores:hold' })).toEqual({ completed: 1, failed: 0 });
    const done = (await runs(t, 'done')).filter((r) => r.n === 1001);
    expect(done.map((r) => [r.jobId, r.attempt])).toEqual([[back!.id, 2]]);
  }, 120_000);

  it('a worker asked to stop lets a running job finish first', async () => {
    await t.site.jobs.enqueue('chores:hold', { n: 1002 });
    const w = await worker();
    await until('the job started', async () => (await runs(t, 'start')).some((r) => r.n === 1002));
    const exit = w.stop();
    await until('the worker began to stop', async () => w.output().includes('SIGTERM:'));
    const em = t.em();
    em.create(ChoreRun, { kind: 'release', n: 1002, pid: 0, attempt: 0, jobId: '-' });
    await em.flush();
    expect(await exit).toEqual({ code: 0, signal: null });
    const done = (await runs(t, 'done')).filter((r) => r.n === 1002);
    expect(done.map((r) => r.attempt)).toEqual([1]);
    expect(await t.site.jobs.queued('chores:hold')).toEqual([]);
  }, 120_000);

  it('tessera serve starts job workers beside its web process when jobs run in workers', async () => {
    const port = await freePort();
    const serve = await startTessera(
      t,
      'serve',
      { TESSERA_JOBS_RUN: 'worker', TESSERA_JOBS_PORT: String(port) },
      /Worker \d+ ready/,
    );
    started.push(serve);
    expect(serve.output()).toContain('with 1 web process(es) and 1 job worker(s)');
    // The web process starts beside the job worker, in its own time.
    await until('the web process answers', async () => {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
      return res?.status === 200;
    });
    await t.site.jobs.enqueue('chores:record', { n: 2001 });
    await until('the job worker ran the job', async () =>
      (await runs(t, 'done')).some((r) => r.n === 2001),
    );
    const [done] = (await runs(t, 'done')).filter((r) => r.n === 2001);
    expect(done!.pid).not.toBe(serve.child.pid);
    expect(await serve.stop()).toEqual({ code: 0, signal: null });
  }, 120_000);

  it('a schedule fires once across two workers', async () => {
    // A daily schedule at a minute that is now due (or the next, when too little of this one is
    // left for two workers to start): one occurrence in the test's time.
    const [now] = await t
      .em()
      .getConnection()
      .execute<{ at: string | Date }[]>(
        "select date_trunc('minute', now()) + interval '1 minute' as at",
      );
    const next = new Date(now!.at);
    const occurrence = new Date(next.getTime() - 60_000);
    const late = Date.now() - occurrence.getTime() > 40_000;
    const at = late ? next : occurrence;
    const cron = `${at.getUTCMinutes()} ${at.getUTCHours()} * * *`;
    const [a, b] = await Promise.all([
      worker({ TESSERA_JOBS_TICK: cron }),
      worker({ TESSERA_JOBS_TICK: cron }),
    ]);
    await until('the schedule fired', async () => (await runs(t, 'tick')).length > 0, 150_000);
    // Every pass of either worker until the occurrence leaves pg-boss's one-minute window could
    // send it again: wait for the window to close, counting the passes.
    const passes = new Set<string>();
    await until(
      'the occurrence to leave the schedule window',
      async () => {
        const [row] = await t
          .em()
          .getConnection()
          .execute<{ cron_on: Date | null; closed: boolean }[]>(
            "select cron_on, now() > ?::timestamptz + interval '65 seconds' as closed from pgboss.version",
            [at],
          );
        if (row?.cron_on) passes.add(new Date(row.cron_on).toISOString());
        return row!.closed;
      },
      150_000,
    );
    expect(await a!.stop()).toEqual({ code: 0, signal: null });
    expect(await b!.stop()).toEqual({ code: 0, signal: null });
    expect(passes.size).toBeGreaterThan(3);
    expect(await runs(t, 'tick')).toHaveLength(1);
  }, 300_000);
});
