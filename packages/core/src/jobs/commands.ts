// `tessera worker` (run the site's jobs until told to stop) and `tessera jobs` (what is queued,
// running and failed; `retry` queues failed jobs again). Entries of the CLI's command table.
// `table` is a function of the command table's module: the cycle is resolved by the time it runs.
import { table, type CommandContext } from '../cli-commands.ts';

/** What `tessera jobs` says about where jobs run. */
const WHERE = {
  server: 'Jobs run inside the web server (jobs.run: server).',
  worker: 'Jobs run in `tessera worker` processes (jobs.run: worker).',
  manual: 'Jobs run only when code calls site.jobs.drain() (jobs.run: manual).',
} as const;

/** Resolves on the first SIGTERM or SIGINT (and answers which). */
function signalled(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
      resolve(signal);
    };
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
  });
}

/**
 * Runs the site's jobs in this process until `until` settles, then stops: no new job is taken,
 * running ones finish within `jobs.shutdownTimeoutMs` or are handed back, the site closes.
 */
export async function runWorker(
  ctx: Pick<CommandContext, 'boot' | 'flags' | 'out'>,
  until: Promise<unknown>,
): Promise<number> {
  const raw = ctx.flags.concurrency;
  const concurrency = raw === undefined ? undefined : Number(raw);
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) {
    ctx.out(
      '--concurrency needs a whole number of jobs (1 or more).\nusage: tessera worker [--concurrency <n>]',
    );
    return 2;
  }
  const app = await ctx.boot();
  try {
    const { jobs, settings } = app.tessera;
    await jobs.work({ concurrency });
    ctx.out(
      `Worker ${process.pid} ready: ${jobs.list().length} jobs, ${concurrency ?? settings.jobs.concurrency} of each at once.`,
    );
    const why = await until;
    ctx.out(`${String(why)}: running jobs finish or are handed back, then the worker stops.`);
  } finally {
    await app.close();
  }
  return 0;
}

/** `tessera worker [--concurrency N]`. */
export function workerCommand(ctx: CommandContext): Promise<number> {
  return runWorker(ctx, signalled());
}

/** `tessera jobs` and `tessera jobs retry <id|job>`. */
export async function jobsCommand({ site, args, out }: CommandContext): Promise<number> {
  const jobs = site!.jobs;
  if (args[0] === 'retry') {
    if (!args[1]) {
      out('jobs retry needs a job id or a job name.\nusage: tessera jobs [retry <id|job>]');
      return 2;
    }
    const count = await jobs.retry(args[1]);
    out(count ? `Queued ${count} failed job(s) again.` : `No failed job matches '${args[1]}'.`);
    return count ? 0 : 1;
  }
  if (args.length) {
    out(`Unknown jobs subcommand '${args[0]}'.\nusage: tessera jobs [retry <id|job>]`);
    return 2;
  }
  out(`${WHERE[jobs.runsIn]}\n`);
  out(
    table([
      ['JOB', 'SCHEDULE', 'QUEUED', 'ACTIVE', 'FAILED', 'COMPLETED'],
      ...(await jobs.figures()).map((f) => [
        f.name,
        f.schedule,
        String(f.queued),
        String(f.active),
        String(f.failed),
        String(f.completed),
      ]),
    ]),
  );
  const failures = await jobs.failures();
  if (!failures.length) {
    out('\nNo failed jobs.');
    return 0;
  }
  out('\nLast failures (tessera jobs retry <id|job> queues them again):');
  out(
    table([
      ['ID', 'JOB', 'FAILED AT', 'RUNS', 'ERROR'],
      ...failures.map((f) => [
        f.id,
        f.name,
        f.failedAt.toISOString(),
        String(f.runs),
        f.error.split('\n')[0]!.slice(0, 120),
      ]),
    ]),
  );
  return 0;
}
