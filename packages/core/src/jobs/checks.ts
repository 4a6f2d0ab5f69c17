// The system checks of jobs, answered before anything runs: a job named outside its app's
// namespace, without a handler, with an impossible heartbeat or keepSeconds (E017), a schedule pg-boss could not read (E018), and a site's
// `jobs.schedules` naming a job no app declares (E019).
import { PgBoss } from 'pg-boss';
import { checkError, type CheckMessage } from '../checks.ts';
import type { AppSpec, SiteSettings } from '../contract.ts';
import { didYouMean } from '../did-you-mean.ts';

const LOCAL_NAME = /^[a-z][a-z0-9-]*$/;

/** Why pg-boss would refuse `cron` in `tz`, or undefined when it reads it. */
function unreadable(boss: PgBoss, cron: string, tz: string | undefined): string | undefined {
  try {
    boss.previewSchedule(cron, { tz, count: 1 });
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Finds the mistakes in the apps' job declarations and the site's `jobs.schedules`. */
export function jobChecks(apps: readonly AppSpec[], settings: SiteSettings): CheckMessage[] {
  const found: CheckMessage[] = [];
  // Only reads expressions: a PgBoss that is never started opens no connection.
  const boss = new PgBoss({ connectionString: 'postgres://localhost/unused' });
  const badSchedule = (job: string, cron: string, why: string, where: string) =>
    checkError(
      'tessera.E018',
      `Job '${job}' has schedule '${cron}' (${where}), which cannot be read: ${why}.`,
      "A cron expression of five fields, minute hour day month weekday: '0 3 * * *' is 03:00 every day.",
    );
  const names: string[] = [];
  for (const app of apps) {
    for (const [name, job] of Object.entries(app.jobs ?? {})) {
      names.push(name);
      const [owner, local = ''] = name.split(/:(.*)/s);
      if (owner !== app.name || !LOCAL_NAME.test(local))
        found.push(
          checkError(
            'tessera.E017',
            `App '${app.name}' declares job '${name}', which is not a name in its namespace.`,
            `Name it '${app.name}:<name>' with lower-case letters, digits and dashes ('${app.name}:${local.toLowerCase().replace(/[^a-z0-9-]+/g, '-') || 'work'}').`,
          ),
        );
      if (typeof job?.handler !== 'function')
        found.push(
          checkError(
            'tessera.E017',
            `App '${app.name}' declares job '${name}' without a handler.`,
            'Give it `handler(payload, ctx)`.',
          ),
        );
      // Whole numbers of seconds, each with its least value.
      const seconds = [
        [
          'heartbeatSeconds',
          10,
          'A heartbeat is a whole number of seconds, at least 10 (pg-boss beats every half of it).',
        ],
        [
          'keepSeconds',
          0,
          'How long a finished job is kept is a whole number of seconds: 0 deletes it as its run ends.',
        ],
      ] as const;
      for (const [field, least, hint] of seconds) {
        const value = job?.[field];
        if (value !== undefined && !(Number.isInteger(value) && value >= least))
          found.push(
            checkError(
              'tessera.E017',
              `App '${app.name}' declares job '${name}' with ${field} ${String(value)}.`,
              hint,
            ),
          );
      }
      const schedule = job?.schedule;
      const cron = typeof schedule === 'string' ? schedule : schedule?.cron;
      const tz = typeof schedule === 'object' ? schedule.tz : undefined;
      const why = cron === undefined ? undefined : unreadable(boss, cron, tz);
      if (why) found.push(badSchedule(name, String(cron), why, `app '${app.name}'`));
    }
  }
  for (const [name, cron] of Object.entries(settings.jobs.schedules)) {
    if (!names.includes(name)) {
      found.push(
        checkError(
          'tessera.E019',
          `Setting jobs.schedules names job '${name}', which no installed app declares.`,
          didYouMean(name, names).trim() || `Declared jobs: ${names.join(', ') || 'none'}.`,
        ),
      );
      continue;
    }
    const why = cron === false ? undefined : unreadable(boss, cron, undefined);
    if (why) found.push(badSchedule(name, cron as string, why, 'the site’s jobs.schedules'));
  }
  return found;
}
