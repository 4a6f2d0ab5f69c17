// Jobs in one process: enqueue inside and outside transactions, drain, retries and failures,
// `tessera jobs`, the in-server worker, core's prune job, and the checks on declarations.
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import pg from 'pg';
import { createTestSite, type TestSite } from '@tessera/testing';
import {
  SystemCheckFailed,
  UnknownJob,
  defineApp,
  transaction,
  type JobPayloads,
  type QueuedJob,
} from '../src/index.ts';
import { createSite } from '../src/create-site.ts';
import { jobsCommand, runWorker } from '../src/jobs/commands.ts';
import { declaredJobs, jobsRunIn } from '../src/jobs/jobs.ts';
import { DEFAULT_SETTINGS } from '../src/settings.ts';
import { ChoreRun, chores } from './fixtures/chores/index.ts';

/** Runs `tessera jobs [args]` on the test site; answers its exit code and output. */
async function jobsCli(t: TestSite, ...args: string[]) {
  const lines: string[] = [];
  const code = await jobsCommand({
    site: t.site,
    settings: t.site.settings,
    args,
    flags: {},
    out: (l) => lines.push(l),
    boot: () => Promise.reject(new Error('not booted here')),
  });
  return { code, output: lines.join('\n') };
}

/** Rows of `chores_run` of `kind`. */
async function runs(t: TestSite, kind = 'done'): Promise<ChoreRun[]> {
  return t.em().find(ChoreRun, { kind }, { orderBy: { id: 'asc' } });
}

/** Polls until `check` is true (bounded: the failure names what never happened). */
async function until(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`Never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('enqueue and drain', () => {
  let t: TestSite;
  beforeAll(async () => {
    t = await createTestSite({ apps: [chores()] });
  });
  afterAll(() => t.close());

  it('runs nowhere in tests until drained: jobs.run auto is manual there', () => {
    expect(t.site.jobs.runsIn).toBe('manual');
    expect(jobsRunIn({ env: 'production', jobs: DEFAULT_SETTINGS.jobs })).toBe('worker');
    expect(jobsRunIn({ env: 'development', jobs: DEFAULT_SETTINGS.jobs })).toBe('server');
    expect(
      jobsRunIn({ env: 'production', jobs: { ...DEFAULT_SETTINGS.jobs, run: 'server' } }),
    ).toBe('server');
  });

  it('a job enqueued in a transaction exists once it commits, and not before', async () => {
    const seenInside = await transaction(t.em(), async () => {
      await t.site.jobs.enqueue('chores:record', { n: 1 });
      // pg-boss's own connections do not see the uncommitted job.
      return t.site.jobs.queued('chores:record');
    });
    expect(seenInside).toEqual([]);
    const queued = await t.site.jobs.queued('chores:record');
    expect(queued.map((j) => [j.name, j.payload, j.state, j.runs])).toEqual([
      ['chores:record', { n: 1 }, 'created', 0],
    ]);
    expect(await t.site.jobs.drain()).toEqual({ completed: 1, failed: 0 });
    expect((await runs(t)).map((r) => [r.n, r.attempt])).toEqual([[1, 1]]);
  });

  it('an enqueue in a rolled-back transaction sends nothing', async () => {
    await expect(
      transaction(t.em(), async (tx) => {
        tx.create(ChoreRun, { kind: 'rolled', n: 2, pid: 0, attempt: 0, jobId: '-' });
        await tx.flush();
        await t.site.jobs.enqueue('chores:record', { n: 2 }, { em: tx });
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await t.site.jobs.queued()).toEqual([]);
    expect(await runs(t, 'rolled')).toEqual([]);
    expect(await t.site.jobs.drain()).toEqual({ completed: 0, failed: 0 });
  });

  it('waits for a job due later unless drain is told to take it', async () => {
    await t.site.jobs.enqueue('chores:record', { n: 3 }, { startAfter: 3600 });
    expect(await t.site.jobs.drain()).toEqual({ completed: 0, failed: 0 });
    expect(await t.site.jobs.drain({ only: 'chores:record', deferred: true })).toEqual({
      completed: 1,
      failed: 0,
    });
  });

  it('refuses a job no app declares, naming the closest', async () => {
    const jobs = t.site.jobs;
    await expect(jobs.enqueue('chores:recrod' as 'chores:record', { n: 1 })).rejects.toThrow(
      UnknownJob,
    );
    await expect(jobs.enqueue('chores:recrod' as 'chores:record', { n: 1 })).rejects.toThrow(
      /Did you mean 'chores:record'\?/,
    );
    await expect(jobs.drain({ only: 'nope:x' as 'chores:record' })).rejects.toThrow(UnknownJob);
  });

  it('a job that throws is retried, then marked failed and listed by tessera jobs', async () => {
    await t.site.jobs.enqueue('chores:fail', { n: 7 });
    // One run and two retries, all in this drain (no delay between them).
    expect(await t.site.jobs.drain()).toEqual({ completed: 0, failed: 3 });
    const [failure] = await t.site.jobs.failures();
    expect(failure).toMatchObject({
      name: 'chores:fail',
      runs: 3,
      error: 'chore 7 failed on purpose',
    });
    const figures = await t.site.jobs.figures();
    expect(figures.find((f) => f.name === 'chores:fail')).toMatchObject({ failed: 1, queued: 0 });
    expect(figures.find((f) => f.name === 'chores:record')).toMatchObject({ completed: 2 });

    const listed = await jobsCli(t);
    expect(listed.code).toBe(0);
    expect(listed.output).toMatch(/^Jobs run only when code calls site\.jobs\.drain\(\)/);
    expect(listed.output).toMatch(/^JOB\s+SCHEDULE\s+QUEUED\s+ACTIVE\s+FAILED\s+COMPLETED$/m);
    expect(listed.output).toMatch(/^chores:fail\s+-\s+0\s+0\s+1\s+0$/m);
    expect(listed.output).toMatch(/^core:prune\s+17 \* \* \* \*\s+0\s+0\s+0\s+0$/m);
    expect(listed.output).toContain(`${failure!.id}  chores:fail`);
    expect(listed.output).toContain('chore 7 failed on purpose');

    // Queued again by id: one more run (which fails again).
    expect(await jobsCli(t, 'retry', failure!.id)).toEqual({
      code: 0,
      output: 'Queued 1 failed job(s) again.',
    });
    expect((await t.site.jobs.queued('chores:fail')).map((j) => j.state)).toEqual(['retry']);
    expect(await t.site.jobs.drain()).toEqual({ completed: 0, failed: 1 });
    // Queued again by name (or its queue's); nothing failed is left to retry after that.
    expect((await jobsCli(t, 'retry', 'chores.fail')).code).toBe(0);
    expect(await t.site.jobs.drain()).toEqual({ completed: 0, failed: 1 });
    expect((await jobsCli(t, 'retry', 'chores:fail')).code).toBe(0);
    expect(await jobsCli(t, 'retry', 'chores:fail')).toEqual({
      code: 1,
      output: "No failed job matches 'chores:fail'.",
    });
    expect((await jobsCli(t, 'retry')).code).toBe(2);
    expect((await jobsCli(t, 'purge')).code).toBe(2);
  });

  it('an exclusive job takes one job per key until it has run', async () => {
    const first = await t.site.jobs.enqueue('chores:unique', { n: 1 }, { key: 'a' });
    expect(first).toEqual(expect.any(String));
    // Waiting already: the same key adds nothing, in a transaction or not; another key does.
    expect(await t.site.jobs.enqueue('chores:unique', { n: 2 }, { key: 'a' })).toBeNull();
    await transaction(t.em(), async () => {
      expect(await t.site.jobs.enqueue('chores:unique', { n: 3 }, { key: 'a' })).toBeNull();
    });
    expect(await t.site.jobs.enqueue('chores:unique', { n: 4 }, { key: 'b' })).not.toBeNull();
    expect((await t.site.jobs.queued('chores:unique')).map((j) => j.payload)).toEqual([
      { n: 1 },
      { n: 4 },
    ]);
    expect(await t.site.jobs.drain({ only: 'chores:unique' })).toEqual({
      completed: 2,
      failed: 0,
    });
    expect((await runs(t, 'unique')).map((r) => r.n)).toEqual([1, 4]);
    // Once run, the key is free again.
    expect(await t.site.jobs.enqueue('chores:unique', { n: 5 }, { key: 'a' })).not.toBeNull();
    const [queue] = await t
      .em()
      .getConnection()
      .execute<{ policy: string; heartbeat_seconds: number }[]>(
        "select policy, heartbeat_seconds from pgboss.queue where name = 'chores.unique'",
      );
    expect(queue).toEqual({ policy: 'exclusive', heartbeat_seconds: 10 });
    await t.site.jobs.drain({ only: 'chores:unique' });
  });

  it('stops a drain that never empties (a job that enqueues itself)', async () => {
    for (let n = 0; n < 3; n++) await t.site.jobs.enqueue('chores:record', { n: 100 + n });
    await expect(t.site.jobs.drain({ maxRuns: 2 })).rejects.toThrow(/stopped after 2 runs/);
    await t.site.jobs.drain();
  });
});

describe('core:prune', () => {
  let t: TestSite;
  beforeAll(async () => {
    t = await createTestSite({ apps: [] });
  });
  afterAll(() => t.close());

  it('deletes expired sessions and rate-limit counters, and keeps live ones', async () => {
    const conn = t.em().getConnection();
    await conn.execute(
      `insert into core_session (sid, data, expires_at) values
         ('old', '{}', now() - interval '1 hour'), ('live', '{}', now() + interval '1 hour')`,
    );
    await conn.execute(
      `insert into core_rate_limit (namespace, key, hits, expires_at) values
         ('t', 'old', 1, now() - interval '1 minute'), ('t', 'live', 1, now() + interval '1 minute')`,
    );
    await t.site.jobs.enqueue('core:prune', {});
    expect(await t.site.jobs.drain()).toEqual({ completed: 1, failed: 0 });
    expect(await conn.execute('select sid from core_session')).toEqual([{ sid: 'live' }]);
    expect(await conn.execute('select key from core_rate_limit')).toEqual([{ key: 'live' }]);
  });

  it('is scheduled hourly, and a site may move or switch off a schedule', () => {
    const settings = { ...t.site.settings, jobs: { ...t.site.settings.jobs, schedules: {} } };
    const [prune] = declaredJobs(t.site.apps, settings);
    expect(prune).toMatchObject({ name: 'core:prune', app: 'core', queue: 'core.prune' });
    expect(prune!.schedule).toEqual({ cron: '17 * * * *', payload: {}, tz: 'UTC' });
    settings.jobs.schedules = { 'core:prune': '0 4 * * *' };
    expect(declaredJobs(t.site.apps, settings)[0]!.schedule?.cron).toBe('0 4 * * *');
    settings.jobs.schedules = { 'core:prune': false };
    expect(declaredJobs(t.site.apps, settings)[0]!.schedule).toBeUndefined();
  });
});

describe('jobs run inside the server', () => {
  it('from the moment it listens, and stop when it closes', async () => {
    const t = await createTestSite({
      apps: [chores()],
      settings: { jobs: { run: 'server', pollIntervalSeconds: 0.5 } },
    });
    try {
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      await t.site.jobs.enqueue('chores:record', { n: 1 });
      await until('the server ran the job', async () => (await runs(t)).length === 1);
    } finally {
      await t.close();
    }
    await expect(t.site.jobs.enqueue('chores:record', { n: 2 })).rejects.toThrow(/closed/);
  });
});

describe('runWorker', () => {
  it('runs jobs and fires schedules until told to stop, then closes the site', async () => {
    const t = await createTestSite({ apps: [chores()] });
    const lines: string[] = [];
    const out = (l: string) => void lines.push(l);
    const schedules = async () =>
      (
        await t
          .em()
          .getConnection()
          .execute<{ name: string; cron: string }[]>(
            'select name, cron from pgboss.schedule order by name',
          )
      ).map((r) => `${r.name} ${r.cron}`);
    let stop!: (why: string) => void;
    const stopped = new Promise<string>((resolve) => (stop = resolve));
    try {
      await t.site.jobs.enqueue('chores:record', { n: 1 });
      const jobs = {
        ...t.site.settings.jobs,
        pollIntervalSeconds: 0.5,
        schedules: { 'chores:tick': '0 3 * * *' },
      };
      const settings = { ...t.site.settings, jobs };
      const worker = runWorker(
        { boot: () => createSite(settings), flags: { concurrency: '3' }, out },
        stopped,
      );
      await until('the worker ran the job', async () => (await runs(t)).length === 1);
      expect(await schedules()).toEqual(['chores.tick 0 3 * * *', 'core.prune 17 * * * *']);
      stop('SIGTERM');
      expect(await worker).toBe(0);
      expect(lines).toEqual([
        expect.stringMatching(/^Worker \d+ ready: 6 jobs, 3 of each at once\.$/),
        'SIGTERM: running jobs finish or are handed back, then the worker stops.',
      ]);

      // The same database without the chores app: its schedule goes with it.
      const without = { ...settings, apps: [], jobs: { ...jobs, schedules: {} } };
      expect(await runWorker({ boot: () => createSite(without), flags: {}, out }, stopped)).toBe(0);
      expect(await schedules()).toEqual(['core.prune 17 * * * *']);

      expect(
        await runWorker(
          { boot: () => createSite(settings), flags: { concurrency: 'many' }, out },
          stopped,
        ),
      ).toBe(2);
      expect(lines.at(-1)).toMatch(/usage: tessera worker \[--concurrency <n>\]/);
    } finally {
      await t.close();
    }
  });
});

describe('job declarations are checked at boot', () => {
  it('refuses a name outside the app’s namespace, a missing handler and an unreadable schedule', async () => {
    const odd = defineApp({
      name: 'odd',
      jobs: {
        'chores:record': { handler() {} },
        'odd:x': {},
        'odd:tick': { handler() {}, schedule: 'every minute' },
        'odd:beat': { handler() {}, heartbeatSeconds: 5 },
        'odd:keep': { handler() {}, keepSeconds: -1 },
      } as never,
    });
    const err = await createTestSite({
      apps: [odd()],
      settings: { jobs: { schedules: { 'odd:tik': '* * * * *', 'odd:x': 'sometimes' } } },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SystemCheckFailed);
    const found = (err as SystemCheckFailed).messages.map(
      (m) => `${m.id} ${m.message} ${m.hint ?? ''}`,
    );
    expect(found).toEqual([
      expect.stringMatching(
        /^tessera\.E017 App 'odd' declares job 'chores:record', which is not a name in its namespace\. Name it 'odd:<name>'/,
      ),
      expect.stringMatching(/^tessera\.E017 App 'odd' declares job 'odd:x' without a handler\./),
      expect.stringMatching(
        /^tessera\.E018 Job 'odd:tick' has schedule 'every minute' \(app 'odd'\)/,
      ),
      expect.stringMatching(
        /^tessera\.E017 App 'odd' declares job 'odd:beat' with heartbeatSeconds 5\. A heartbeat is a whole number of seconds, at least 10/,
      ),
      expect.stringMatching(
        /^tessera\.E017 App 'odd' declares job 'odd:keep' with keepSeconds -1\. How long a finished job is kept/,
      ),
      expect.stringMatching(
        /^tessera\.E019 Setting jobs\.schedules names job 'odd:tik', which no installed app declares\. Did you mean 'odd:tick'\?/,
      ),
      expect.stringMatching(
        /^tessera\.E018 Job 'odd:x' has schedule 'sometimes' \(the site’s jobs\.schedules\)/,
      ),
    ]);
  });
});

describe('job types', () => {
  it('types payloads by job name', () => {
    expectTypeOf<JobPayloads['chores:record']>().toEqualTypeOf<{ n: number; barrier?: boolean }>();
    const check = (site: TestSite['site']) => {
      void site.jobs.enqueue('chores:record', { n: 1 });
      // @ts-expect-error — 'chores:record' takes { n }
      void site.jobs.enqueue('chores:record', { count: 1 });
      // @ts-expect-error — core:prune takes an empty payload
      void site.jobs.enqueue('core:prune', { n: 1 });
      return site.jobs.queued('chores:fail');
    };
    expectTypeOf(check).returns.toEqualTypeOf<Promise<QueuedJob<{ n: number }>[]>>();
  });

  it('refuses, at compile time, a job declaration whose name no app types', () => {
    defineApp({
      name: 'typed',
      jobs: {
        // @ts-expect-error — 'typed:undeclared' is not in JobPayloads
        'typed:undeclared': { handler() {} },
      },
    });
    defineApp({
      name: 'chores',
      jobs: {
        'chores:fail': {
          handler(payload) {
            expectTypeOf(payload).toEqualTypeOf<{ n: number }>();
          },
        },
      },
    });
  });
});

describe('where pg-boss keeps its tables', () => {
  it('keeps pg-boss in its own schema, which the ORM leaves out of schema diffs', async () => {
    const t = await createTestSite({ apps: [chores()] });
    try {
      await t.site.jobs.enqueue('chores:record', { n: 1 });
      const client = new pg.Client({ connectionString: t.databaseUrl });
      await client.connect();
      const { rows } = await client.query(
        "select count(*)::int as n from information_schema.tables where table_schema = 'pgboss'",
      );
      await client.end();
      expect(rows[0].n).toBeGreaterThan(3);
      const sql = await t.site.orm.schema.getUpdateSchemaMigrationSQL({ wrap: false });
      expect(sql.up.trim()).toBe('');
    } finally {
      await t.close();
    }
  });
});

describe('how long a finished job is kept', () => {
  it('keepSeconds 0 deletes a job as its run ends, done or failed for good; keepSeconds 60 keeps it', async () => {
    const keep = defineApp({
      name: 'keep',
      jobs: {
        'keep:secret': {
          keepSeconds: 0,
          retry: { limit: 1 },
          handler(payload: { secret: string; fail?: boolean }) {
            if (payload.fail) throw new Error(`refused ${payload.secret}`);
          },
        },
        'keep:kept': { keepSeconds: 60, handler() {} },
      } as never,
    });
    const t = await createTestSite({ apps: [keep()] });
    try {
      await t.site.jobs.enqueue('keep:secret', { secret: 'done' });
      await t.site.jobs.enqueue('keep:secret', { secret: 'refused', fail: true });
      await t.site.jobs.enqueue('keep:kept', {});
      // The refused job runs twice (one retry), its delay skipped.
      expect(await t.site.jobs.drain({ deferred: true })).toEqual({ completed: 2, failed: 2 });
      const conn = t.site.orm.em.getConnection();
      expect(
        await conn.execute(
          "select name, state from pgboss.job where name like 'keep.%' order by name",
        ),
      ).toEqual([{ name: 'keep.kept', state: 'completed' }]);
      // pg-boss deletes the kept one 60 s after it finished; 0 is "never" to pg-boss, so a job that
      // keeps nothing has 1 s there, for the runs pg-boss ends itself.
      expect(
        await conn.execute(
          "select name, deletion_seconds from pgboss.queue where name like 'keep.%' order by name",
        ),
      ).toEqual([
        { name: 'keep.kept', deletion_seconds: 60 },
        { name: 'keep.secret', deletion_seconds: 1 },
      ]);
    } finally {
      await t.close();
    }
  });
});
