// Over 300 lines on purpose: enqueue, work, drain and figures share one pg-boss instance, its lazy
// start and its stop, and the queue policies they all derive from a declaration; split apart, each
// would reach into the others. The site's jobs, run by pg-boss on the site's own PostgreSQL (schema
// `pgboss`): enqueue (inside a transaction, in it), work (poll and run), drain (run what is queued
// now, in this process) and the figures `tessera jobs` shows. pg-boss starts lazily, so a site that
// sends no job pays nothing.
import { RequestContext } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  PgBoss,
  fromKysely,
  type JobResult,
  type JobWithMetadata,
  type SendOptions,
} from 'pg-boss';
import type { AppSpec, SiteContext, SiteSettings } from '../contract.ts';
import { didYouMean } from '../did-you-mean.ts';
import { UnknownJob } from '../errors.ts';
import {
  DEFAULT_JOB_KEEP_SECONDS,
  DEFAULT_JOB_RETRY,
  DEFAULT_JOB_TIMEOUT_SECONDS,
  type EnqueueOptions,
  type JobContext,
  type JobDefinition,
  type JobName,
  type JobPayloads,
  type JobsRunIn,
  type RetryPolicy,
  type UndeclaredJob,
} from './types.ts';

/** The schema pg-boss keeps its tables in (core's ORM leaves it out of schema diffs). */
export const JOBS_SCHEMA = 'pgboss';

/** A declared job as the kernel runs it. */
export interface DeclaredJob {
  /** `contact-form:deliver`. */
  name: string;
  /** The app that declares it. */
  app: string;
  /** pg-boss's queue name (`contact-form.deliver`: pg-boss refuses `:`). */
  queue: string;
  description?: string;
  retry: Required<RetryPolicy>;
  timeoutSeconds: number;
  /** Seconds without a beat after which a run counts as failed (its process died), if any. */
  heartbeatSeconds?: number;
  /** At most one job per key waiting or running (pg-boss's `exclusive` queue policy). */
  exclusive: boolean;
  /** Seconds a finished job is kept; 0: deleted as its run ends. */
  keepSeconds: number;
  /** The schedule in force (the site's `jobs.schedules` over the app's), if any. */
  schedule?: { cron: string; payload: object; tz: string };
  definition: JobDefinition<unknown>;
}

/** A job waiting to run (`site.jobs.queued()`). */
export interface QueuedJob<P = unknown> {
  id: string;
  name: string;
  payload: P;
  /** `created` (never run) or `retry` (failed, to run again). */
  state: 'created' | 'retry';
  /** Runs so far. */
  runs: number;
  startAfter: Date;
}

/** What `site.jobs.drain()` did. */
export interface DrainReport {
  /** Runs that finished. */
  completed: number;
  /** Runs that threw (retried later, or failed for good). */
  failed: number;
}

/** One job's figures for `tessera jobs`. */
export interface JobFigures {
  name: string;
  app: string;
  schedule: string;
  queued: number;
  active: number;
  failed: number;
  completed: number;
}

/** A job that failed for good, for `tessera jobs`. */
export interface JobFailure {
  id: string;
  name: string;
  failedAt: Date;
  runs: number;
  error: string;
}

/** The queue name of a job: pg-boss allows letters, digits, `-`, `_`, `.` and `/`. */
export const queueOf = (job: string): string => job.replace(':', '.');

/** Where a site's jobs run, `auto` resolved by the environment. */
export function jobsRunIn(settings: Pick<SiteSettings, 'env' | 'jobs'>): JobsRunIn {
  const { run } = settings.jobs;
  if (run !== 'auto') return run;
  if (settings.env === 'production') return 'worker';
  return settings.env === 'test' ? 'manual' : 'server';
}

/** Every job the installed apps declare, with defaults filled in and the site's schedules applied. */
export function declaredJobs(apps: readonly AppSpec[], settings: SiteSettings): DeclaredJob[] {
  return apps.flatMap((app) =>
    Object.entries(app.jobs ?? {}).map(([name, given]): DeclaredJob => {
      const definition = given as JobDefinition<unknown>;
      const own = definition.schedule;
      const override = settings.jobs.schedules[name];
      const cron = override === undefined ? (typeof own === 'string' ? own : own?.cron) : override;
      const detail = typeof own === 'object' ? own : undefined;
      return {
        name,
        app: app.name,
        queue: queueOf(name),
        description: definition.description,
        retry: { ...DEFAULT_JOB_RETRY, ...definition.retry },
        timeoutSeconds: definition.timeoutSeconds ?? DEFAULT_JOB_TIMEOUT_SECONDS,
        heartbeatSeconds: definition.heartbeatSeconds,
        exclusive: definition.exclusive === true,
        keepSeconds: definition.keepSeconds ?? DEFAULT_JOB_KEEP_SECONDS,
        schedule: cron
          ? { cron, payload: (detail?.payload as object) ?? {}, tz: detail?.tz ?? 'UTC' }
          : undefined,
        definition,
      };
    }),
  );
}

/** An error as pg-boss stores it in a failed job's `output`. */
function errorOutput(err: unknown): object {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { message: String(err) };
}

type Role = 'send' | 'work';
type Started = { boss: PgBoss; role: Role };

/**
 * The site's jobs (`site.jobs`): one per site, started on first use. `enqueue` sends a job (inside
 * a transaction, as part of it); `work` runs jobs in this process as they come; `drain` runs what
 * is queued now and returns (tests); `stop` finishes or hands back what runs.
 */
export class Jobs {
  readonly #site: () => SiteContext;
  readonly #jobs: Map<string, DeclaredJob>;
  #boss: Promise<Started> | undefined;
  #working = false;
  #closed = false;

  constructor(site: () => SiteContext, jobs: readonly DeclaredJob[]) {
    this.#site = site;
    this.#jobs = new Map(jobs.map((j) => [j.name, j]));
  }

  /** Every declared job, in app order. */
  list(): DeclaredJob[] {
    return [...this.#jobs.values()];
  }

  /** Where this site runs its jobs (the `jobs.run` setting, `auto` resolved). */
  get runsIn(): JobsRunIn {
    return jobsRunIn(this.#site().settings);
  }

  /**
   * Sends a job. Inside a transaction (`transaction()`, or any MikroORM transaction of this async
   * context, or `opts.em`'s) the job is written in it: it exists once the transaction commits, and
   * never if it rolls back. Answers the job's id.
   */
  enqueue<N extends JobName>(
    name: N,
    payload: JobPayloads[N],
    opts?: EnqueueOptions,
  ): Promise<string | null>;
  enqueue<N extends string>(
    name: UndeclaredJob<N>,
    payload: object,
    opts?: EnqueueOptions,
  ): Promise<string | null>;
  async enqueue(name: string, payload: unknown, opts: EnqueueOptions = {}): Promise<string | null> {
    const job = this.#declared(name);
    const { boss } = await this.#start('send');
    const em = (opts.em ?? this.#site().orm.em) as EntityManager;
    const options: SendOptions = {};
    if (opts.startAfter !== undefined) options.startAfter = opts.startAfter;
    if (opts.key !== undefined) options.singletonKey = opts.key;
    // The job row is written on the transaction's own connection: it commits or rolls back with it.
    if (em.isInTransaction()) options.db = fromKysely(em.getKysely());
    return boss.send(job.queue, (payload ?? {}) as object, options);
  }

  /**
   * Runs the jobs queued now in this process, one at a time, until none is left (a retry whose
   * delay has not passed waits, unless `deferred`). For tests and one-off scripts.
   */
  async drain(
    opts: { only?: JobName | JobName[]; deferred?: boolean; maxRuns?: number } = {},
  ): Promise<DrainReport> {
    const jobs = opts.only
      ? ([] as string[]).concat(opts.only).map((n) => this.#declared(n))
      : this.list();
    const { boss } = await this.#start('send');
    const maxRuns = opts.maxRuns ?? 1000;
    const report: DrainReport = { completed: 0, failed: 0 };
    for (let ran = true; ran;) {
      ran = false;
      for (const job of jobs) {
        const [next] = await boss.fetch<object>(job.queue, {
          includeMetadata: true,
          ignoreStartAfter: opts.deferred === true,
        });
        if (!next) continue;
        ran = true;
        if (report.completed + report.failed >= maxRuns)
          throw new Error(
            `drain() stopped after ${maxRuns} runs with jobs still queued: does a job enqueue itself?`,
          );
        let failed = false;
        let error: unknown;
        try {
          await this.#run(job, next);
        } catch (err) {
          failed = true;
          error = err;
        }
        if (await this.#forget(boss, job, next, failed)) {
          // Deleted: nothing is left to complete or fail.
        } else if (failed) await boss.fail(job.queue, next.id, errorOutput(error));
        else await boss.complete(job.queue, next.id);
        report[failed ? 'failed' : 'completed'] += 1;
      }
    }
    return report;
  }

  /** The jobs waiting to run (never run, or failed and due again), oldest first. */
  async queued<N extends JobName>(name?: N): Promise<QueuedJob<JobPayloads[N]>[]> {
    const queues = name ? [this.#declared(name).queue] : this.list().map((j) => j.queue);
    const { boss } = await this.#start('send');
    const { rows } = await boss.getDb().executeSql(
      `select id, name, data, state, retry_count, start_after from ${JOBS_SCHEMA}.job
       where name = any($1::text[]) and state in ('created', 'retry') order by created_on, id`,
      [queues],
    );
    return rows.map((r: Record<string, unknown>) => ({
      id: r.id as string,
      name: String(r.name).replace('.', ':'),
      payload: r.data as JobPayloads[N],
      state: r.state as 'created' | 'retry',
      runs: Number(r.retry_count) + (r.state === 'retry' ? 1 : 0),
      startAfter: new Date(r.start_after as string),
    }));
  }

  /**
   * Runs jobs in this process as they come, `concurrency` of each kind at once, and fires the
   * schedules (every worker does; each occurrence runs once). Answers once it is polling.
   */
  async work(opts: { concurrency?: number } = {}): Promise<void> {
    if (this.#working) return;
    this.#working = true;
    const { boss } = await this.#start('work').catch((err: unknown) => {
      this.#working = false;
      throw err;
    });
    const { jobs: settings } = this.#site().settings;
    // A schedule of a job no installed app declares any more (an app removed) would fill a queue
    // nobody works.
    const queues = new Set(this.list().map((j) => j.queue));
    for (const old of await boss.getSchedules())
      if (!queues.has(old.name)) await boss.unschedule(old.name, old.key);
    for (const job of this.list()) {
      if (job.schedule)
        await boss.schedule(job.queue, job.schedule.cron, job.schedule.payload, {
          tz: job.schedule.tz,
        });
      else await boss.unschedule(job.queue);
      // Two at a time per slot, run one after the other: a full fetch makes pg-boss fetch again at
      // once (a backlog drains without waiting a poll interval per job), and a slot still runs one
      // job at a time.
      await boss.work(
        job.queue,
        {
          includeMetadata: true,
          perJobResults: true,
          batchSize: 2,
          burstWhenBatchFull: true,
          localConcurrency: opts.concurrency ?? settings.concurrency,
          pollingIntervalSeconds: settings.pollIntervalSeconds,
        },
        async (batch: JobWithMetadata<object>[]) => {
          const results: JobResult[] = [];
          for (const next of batch) {
            const failed = await this.#run(job, next).then(
              () => undefined,
              (err: unknown) => err ?? new Error('The job threw nothing'),
            );
            // A deleted job is settled by pg-boss as nothing: its row is gone.
            await this.#forget(boss, job, next, failed !== undefined);
            results.push(
              failed === undefined
                ? { id: next.id, status: 'completed' }
                : { id: next.id, status: 'failed', output: errorOutput(failed) },
            );
          }
          return results;
        },
      );
    }
  }

  /**
   * Stops: no new job is taken; running ones get `jobs.shutdownTimeoutMs` to finish, then are
   * handed back (failed with "shut down while active", so they run again later).
   */
  async stop(): Promise<void> {
    this.#closed = true;
    const started = this.#boss;
    if (!started) return;
    // Until pg-boss has stopped, a running job may still enqueue through it.
    const { boss } = await started.catch(() => ({ boss: undefined }));
    await boss?.stop({
      graceful: true,
      close: true,
      timeout: this.#site().settings.jobs.shutdownTimeoutMs,
    });
    this.#boss = undefined;
    this.#working = false;
  }

  /** Each job's figures: queued (waiting or due again), active, failed and completed runs kept. */
  async figures(): Promise<JobFigures[]> {
    const counts = new Map<string, Record<string, number>>();
    if (await this.#installed()) {
      const { boss } = await this.#start('send');
      const { rows } = await boss
        .getDb()
        .executeSql(
          `select name, state, count(*)::int as n from ${JOBS_SCHEMA}.job where name = any($1::text[]) group by 1, 2`,
          [this.list().map((j) => j.queue)],
        );
      for (const r of rows as { name: string; state: string; n: number }[])
        counts.set(r.name, { ...counts.get(r.name), [r.state]: r.n });
    }
    return this.list().map((job) => {
      const c = counts.get(job.queue) ?? {};
      return {
        name: job.name,
        app: job.app,
        schedule: job.schedule ? job.schedule.cron : '-',
        queued: (c.created ?? 0) + (c.retry ?? 0),
        active: c.active ?? 0,
        failed: c.failed ?? 0,
        completed: c.completed ?? 0,
      };
    });
  }

  /** The latest jobs that failed for good (their retries spent), newest first. */
  async failures(limit = 10): Promise<JobFailure[]> {
    if (!(await this.#installed())) return [];
    const { boss } = await this.#start('send');
    const { rows } = await boss.getDb().executeSql(
      `select id, name, completed_on, retry_count, output from ${JOBS_SCHEMA}.job
       where name = any($1::text[]) and state = 'failed' order by completed_on desc, id limit $2`,
      [this.list().map((j) => j.queue), limit],
    );
    return rows.map((r: Record<string, unknown>) => ({
      id: r.id as string,
      name: String(r.name).replace('.', ':'),
      failedAt: new Date(r.completed_on as string),
      runs: Number(r.retry_count) + 1,
      error: String((r.output as { message?: unknown } | null)?.message ?? r.output ?? ''),
    }));
  }

  /**
   * Queues failed jobs again: the one with id `target`, or every failed job named `target`
   * (`contact-form:deliver`, or its queue `contact-form.deliver`). Answers how many.
   */
  async retry(target: string): Promise<number> {
    if (!(await this.#installed())) return 0;
    const { boss } = await this.#start('send');
    // A job's name, or its queue's as pg-boss shows it (`contact-form.deliver`).
    const job = this.#jobs.get(target) ?? this.list().find((j) => j.queue === target);
    const { rows } = await boss
      .getDb()
      .executeSql(
        job
          ? `select id, name from ${JOBS_SCHEMA}.job where name = $1 and state = 'failed'`
          : `select id, name from ${JOBS_SCHEMA}.job where id::text = $1 and state = 'failed'`,
        [job ? job.queue : target],
      );
    if (!rows.length) return 0;
    const res = await boss.retry(
      String(rows[0].name),
      rows.map((r: { id: string }) => r.id),
    );
    return (res as { affected?: number }).affected ?? 0;
  }

  /**
   * Deletes the job of this run if the run ends it and its job keeps nothing (`keepSeconds: 0`):
   * it succeeded, or it failed with no retry left. Answers whether it deleted it; a delete that
   * failed leaves the job to be settled as usual and deleted by pg-boss's maintenance (its queue
   * deletes finished jobs after 1 s), rather than failing a run that did its work.
   */
  async #forget(
    boss: PgBoss,
    job: DeclaredJob,
    next: JobWithMetadata<object>,
    failed: boolean,
  ): Promise<boolean> {
    if (job.keepSeconds > 0) return false;
    if (failed && next.retryCount < (next.retryLimit ?? job.retry.limit)) return false;
    try {
      await boss.deleteJob(job.queue, next.id);
      return true;
    } catch (err) {
      this.#site().log.warn(
        { err, job: next.id, jobName: job.name },
        `${job.name}: could not delete the finished job; pg-boss's maintenance will`,
      );
      return false;
    }
  }

  /** The declared job `name`, or `UnknownJob` with the closest name. */
  #declared(name: string): DeclaredJob {
    const job = this.#jobs.get(name);
    if (!job) throw new UnknownJob(name, didYouMean(name, [...this.#jobs.keys()]));
    return job;
  }

  /** True once pg-boss has made its tables here (`tessera jobs` does not make them). */
  async #installed(): Promise<boolean> {
    const rows = await this.#site()
      .orm.em.getConnection()
      .execute<{ t: string | null }[]>(`select to_regclass('${JOBS_SCHEMA}.job')::text as t`);
    return rows[0]?.t != null;
  }

  /**
   * pg-boss for this process: a sender (no maintenance, no schedules) until something asks to
   * work, then a worker (maintenance and schedules too, shared with every other worker).
   */
  async #start(role: Role): Promise<Started> {
    if (this.#closed) {
      if (!this.#boss) throw new Error('The site has closed: its jobs are stopped.');
      return this.#boss;
    }
    this.#boss ??= this.#open(role);
    const started = this.#boss;
    const current = await started;
    if (role === 'send' || current.role === 'work') return current;
    if (this.#boss === started) {
      const restarting = current.boss
        .stop({ graceful: true, close: true })
        .then(() => this.#open('work'));
      this.#boss = restarting;
      restarting.catch(() => {
        if (this.#boss === restarting) this.#boss = undefined;
      });
    }
    return this.#start(role);
  }

  /** Starts pg-boss (making or updating its tables) and makes each job's queue match its declaration. */
  #open(role: Role): Promise<Started> {
    const site = this.#site();
    const { jobs } = site.settings;
    // A dead process's run is noticed by the next supervision pass: as often as the shortest
    // heartbeat asks (pg-boss's default is a minute).
    const beats = this.list().flatMap((j) => (j.heartbeatSeconds ? [j.heartbeatSeconds] : []));
    const supervise = Math.min(60, ...beats);
    const opening = (async () => {
      const boss = new PgBoss({
        connectionString: site.orm.config.get('clientUrl'),
        schema: JOBS_SCHEMA,
        application_name: `tessera-jobs-${role}`,
        max: role === 'work' ? 4 : 2,
        supervise: role === 'work',
        schedule: role === 'work',
        registerInstance: role === 'work',
        cronMonitorIntervalSeconds: jobs.scheduleIntervalSeconds,
        cronWorkerIntervalSeconds: Math.min(jobs.scheduleIntervalSeconds, 5),
        superviseIntervalSeconds: supervise,
        monitorIntervalSeconds: supervise,
      });
      boss.on('error', (err) => site.log.error({ err }, 'jobs: pg-boss reported an error'));
      await boss.start();
      for (const job of this.list()) {
        const queue = {
          retryLimit: job.retry.limit,
          retryDelay: job.retry.delaySeconds,
          retryBackoff: job.retry.backoff,
          expireInSeconds: job.timeoutSeconds,
          // pg-boss reads 0 as "never": a job that keeps nothing is deleted by core as its run
          // ends, and by pg-boss's maintenance after a second when pg-boss ended the run itself.
          deleteAfterSeconds: Math.max(1, job.keepSeconds),
        };
        // pg-boss bounds the wait only between doubling retries.
        const max = job.retry.backoff ? job.retry.maxDelaySeconds : undefined;
        // createQueue keeps an existing queue as it is: the declaration may have changed since
        // (pg-boss changes neither the policy nor the heartbeat of a queue once made).
        await boss.createQueue(job.queue, {
          ...queue,
          ...(max === undefined ? {} : { retryDelayMax: max }),
          ...(job.exclusive ? { policy: 'exclusive' } : {}),
          ...(job.heartbeatSeconds ? { heartbeatSeconds: job.heartbeatSeconds } : {}),
        });
        await boss.updateQueue(job.queue, { ...queue, retryDelayMax: max ?? null });
      }
      return { boss, role };
    })();
    // A start that failed (the database was down) is tried again on the next use.
    opening.catch(() => {
      if (this.#boss === opening) this.#boss = undefined;
    });
    return opening;
  }

  /** Runs one job with its context: an EntityManager of its own, the job's id on every log line. */
  async #run(job: DeclaredJob, next: JobWithMetadata<object>): Promise<void> {
    const site = this.#site();
    const em = site.orm.em.fork() as EntityManager;
    const attempts = (next.retryLimit ?? job.retry.limit) + 1;
    const ctx: JobContext = {
      site,
      em,
      job: { id: next.id, name: job.name, attempt: next.retryCount + 1, attempts },
      signal: next.signal ?? new AbortController().signal,
      log: site.log.child({ job: next.id, jobName: job.name }),
    };
    try {
      await RequestContext.create(em, () => job.definition.handler(next.data ?? {}, ctx));
    } catch (err) {
      const last = ctx.job.attempt >= attempts;
      ctx.log[last ? 'error' : 'warn'](
        { err, attempt: ctx.job.attempt, attempts },
        last
          ? job.keepSeconds === 0
            ? `${job.name} failed on its last attempt: deleted, as the job keeps nothing (keepSeconds 0)`
            : `${job.name} failed on its last attempt: marked failed (tessera jobs retry ${next.id})`
          : `${job.name} failed; it will be retried`,
      );
      throw err;
    }
  }
}
