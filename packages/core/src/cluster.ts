import cluster from 'node:cluster';

/** The environment variable that tells a forked process what it is: `jobs` runs `tessera worker`. */
export const PROCESS_ROLE = 'TESSERA_PROCESS';

/** How the primary runs its workers. */
export interface ClusterOptions {
  /** Web processes, sharing one port. */
  workers: number;
  /** Processes that run jobs (`tessera worker`) instead of serving. */
  jobWorkers?: number;
  log: { info(message: string): void; warn(message: string): void; error(message: string): void };
  /** Longest a worker may take to finish in-flight requests on shutdown before it is killed. */
  shutdownTimeoutMs?: number;
}

/** Crashes closer together than this count towards a crash loop, which pauses restarts. */
const CRASH_WINDOW_MS = 10_000;
const MAX_RESTARTS_IN_WINDOW = 5;

/**
 * Runs `workers` copies of this program sharing one port (Node's cluster module): a worker that
 * crashes is replaced; SIGTERM/SIGINT asks every worker to finish its in-flight requests and stop,
 * then the primary exits. Answers a promise that settles when the cluster has stopped.
 */
export function runPrimary(opts: ClusterOptions): Promise<void> {
  const { log } = opts;
  let stopping = false;
  const crashes: number[] = [];
  const roles = new Map<number, Record<string, string>>();
  const fork = (env: Record<string, string>) => roles.set(cluster.fork(env).id, env);
  for (let i = 0; i < opts.workers; i++) fork({});
  for (let i = 0; i < (opts.jobWorkers ?? 0); i++) fork({ [PROCESS_ROLE]: 'jobs' });
  cluster.on('exit', (worker, code, signal) => {
    const env = roles.get(worker.id) ?? {};
    roles.delete(worker.id);
    if (stopping) return;
    const now = Date.now();
    crashes.push(now);
    while (crashes.length && now - crashes[0]! > CRASH_WINDOW_MS) crashes.shift();
    const delay = crashes.length > MAX_RESTARTS_IN_WINDOW ? 5_000 : 0;
    log.warn(
      `${env[PROCESS_ROLE] === 'jobs' ? 'job worker' : 'worker'} ${worker.process.pid} died (${signal ?? `code ${code}`}); starting a new one${delay ? ' in 5 s (crash loop)' : ''}`,
    );
    setTimeout(() => fork(env), delay).unref();
  });
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      log.info(
        `${signal}: asking ${Object.keys(cluster.workers ?? {}).length} workers to finish in-flight requests`,
      );
      const workers = Object.values(cluster.workers ?? {});
      if (!workers.length) return resolve();
      let left = workers.length;
      const timer = setTimeout(() => {
        for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
      }, opts.shutdownTimeoutMs ?? 30_000);
      timer.unref();
      for (const w of workers) {
        w?.once('exit', () => {
          left -= 1;
          if (left === 0) {
            clearTimeout(timer);
            resolve();
          }
        });
        w?.process.kill('SIGTERM');
      }
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

/** True in the primary process of a cluster (or a process that is not clustered). */
export const isPrimary = (): boolean => cluster.isPrimary;
