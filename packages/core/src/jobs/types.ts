// Jobs as an app declares them: a name in the app's namespace, a typed payload (declaration
// merging, like hooks), a handler that runs with the site and an EntityManager of its own, a
// retry policy and an optional schedule. pg-boss runs them (jobs.ts); these are the types apps see.
import type { FastifyBaseLogger } from 'fastify';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { SiteContext } from '../contract.ts';

/**
 * Every job's name and payload, merged by declaration:
 * `declare module '@tessera/core' { interface JobPayloads { 'contact-form:deliver': { messageId: number } } }`.
 * Payloads are stored as JSON: plain values only (no Dates, no class instances).
 */
export interface JobPayloads {
  /** Core's own schedule: deletes expired sessions and rate-limit counters. */
  'core:prune': Record<string, never>;
}

/** A job name some app declares. */
export type JobName = keyof JobPayloads & string;

/**
 * A job name no app declares in `JobPayloads` (a name computed at run time); a declared name only
 * matches the typed overload, so a wrong payload for it fails `tsc`.
 */
export type UndeclaredJob<N extends string> = N & (N extends JobName ? never : unknown);

/** How a failed run is tried again. Every field has a default (`DEFAULT_JOB_RETRY`). */
export interface RetryPolicy {
  /** Runs after the first that a failure may cause; then the job is marked failed. */
  limit?: number;
  /** Seconds before the first retry. */
  delaySeconds?: number;
  /** Double the wait before each further retry (with some jitter), up to `maxDelaySeconds`. */
  backoff?: boolean;
  /** The longest wait between two runs, in seconds. */
  maxDelaySeconds?: number;
}

/** The retry policy of a job that declares none: five retries from 10 s, doubling, at most an hour apart. */
export const DEFAULT_JOB_RETRY: Required<RetryPolicy> = {
  limit: 5,
  delaySeconds: 10,
  backoff: true,
  maxDelaySeconds: 3600,
};

/** How long one run may take before it counts as failed (and is retried), when a job says nothing. */
export const DEFAULT_JOB_TIMEOUT_SECONDS = 15 * 60;

/**
 * How long a finished job (completed, or failed for good) is kept with its payload and its error,
 * when a job says nothing: 7 days, pg-boss's own retention.
 */
export const DEFAULT_JOB_KEEP_SECONDS = 7 * 24 * 3600;

/** A recurring run of a job: a cron expression (`'0 3 * * *'`), with a payload and a time zone. */
export interface JobSchedule<P> {
  cron: string;
  /** What each scheduled run gets (default `{}`). */
  payload?: P;
  /** The time zone the expression is read in (default UTC). */
  tz?: string;
}

/** What a job's handler runs with. */
export interface JobContext {
  site: SiteContext;
  /**
   * This run's own EntityManager; it is also the context's, so `site.orm.em` inside the handler
   * resolves to it (as `request.em` does in a request).
   */
  em: EntityManager;
  job: {
    id: string;
    name: string;
    /** 1 on the first run, 2 on the first retry, … */
    attempt: number;
    /** How many runs the retry policy allows in all. */
    attempts: number;
  };
  /** Aborted when the process stops before the run finished: the job is handed back and runs again later. */
  signal: AbortSignal;
  /** The site's logger, with the job's id and name on every line. */
  log: FastifyBaseLogger;
}

/** One job an app declares. */
export interface JobDefinition<P> {
  /** Does the work; a throw (or a rejected promise) fails this run, which the retry policy may repeat. */
  handler(payload: P, ctx: JobContext): Promise<unknown> | unknown;
  /** One line for `tessera jobs`. */
  description?: string;
  retry?: RetryPolicy;
  /** Runs the job on a schedule, from worker processes (`tessera worker`, or the server in development). */
  schedule?: string | JobSchedule<P>;
  /** Longest a run may take, in seconds, before it counts as failed (default 15 minutes). */
  timeoutSeconds?: number;
  /**
   * A running job's process beats every half of this many seconds (at least 10); a run whose beat
   * stops — its process was killed — counts as failed and is retried within about two of these,
   * without waiting for `timeoutSeconds`. Unset: only the timeout notices a dead process.
   */
  heartbeatSeconds?: number;
  /**
   * At most one job of this name per `key` (`enqueue(…, { key })`) is waiting or running: an
   * enqueue whose key already has one adds nothing and answers null. A job without a key shares
   * the empty key.
   */
  exclusive?: boolean;
  /**
   * Seconds a finished job (completed, or failed for good) stays in pg-boss's table, payload and
   * error included, for `tessera jobs` (default 7 days). `0` deletes it the moment its run ends —
   * for a payload that must not be kept, such as an address someone typed; such a job's last
   * failure is then only in the log, and a run pg-boss ends itself (past its timeout or its
   * heartbeat) is deleted by pg-boss's next maintenance.
   */
  keepSeconds?: number;
}

/**
 * The jobs an app declares, by name (`'contact-form:deliver'`): only names declared in
 * `JobPayloads` are accepted, and each handler receives its declared payload.
 */
export type JobDeclarations = { [N in JobName]?: JobDefinition<JobPayloads[N]> };

/** How `site.jobs.enqueue` sends a job. */
export interface EnqueueOptions {
  /** Not before this time (a Date), or this many seconds from now. */
  startAfter?: Date | number;
  /**
   * The transaction to send in. By default an enqueue inside `transaction()` (or any MikroORM
   * transaction in the same async context) joins it; pass an EntityManager to choose.
   */
  em?: EntityManager;
  /** What makes two jobs of an `exclusive` job the same (a record's id). */
  key?: string;
}

/** Where a site's jobs run: see the `jobs.run` setting. */
export type JobsRunIn = 'server' | 'worker' | 'manual';

/** The `jobs` settings. */
export interface JobsSettings {
  /**
   * Where jobs run: `'server'` — inside the web process, from the moment it listens (development);
   * `'worker'` — only in `tessera worker` processes, which `tessera serve` starts with the web
   * processes (production); `'manual'` — only when code calls `site.jobs.drain()` (tests);
   * `'auto'` — by `env`: development → server, production → worker, test → manual.
   */
  run: 'auto' | JobsRunIn;
  /** Jobs of each kind one process runs at once (`tessera worker --concurrency` overrides it). */
  concurrency: number;
  /** How often an idle process looks for new jobs, in seconds. */
  pollIntervalSeconds: number;
  /** How often a worker looks at the schedules, in seconds (1–45). */
  scheduleIntervalSeconds: number;
  /** How long a stopping process waits for running jobs before it hands them back, in ms. */
  shutdownTimeoutMs: number;
  /** A job's schedule changed (`'0 4 * * *'`) or switched off (`false`) by the site. */
  schedules: Record<string, string | false>;
}
