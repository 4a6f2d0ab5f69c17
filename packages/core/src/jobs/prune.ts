// `core:prune`, core's own scheduled job: the tables every app shares (sessions, rate-limit
// counters) lose their expired rows every hour, so no app keeps a timer for them.
import { pruneRateLimits } from '../db/rate-limit-store.ts';
import { PostgresSessionStore } from '../db/session-store.ts';
import type { JobContext, JobDeclarations } from './types.ts';

/** Deletes expired sessions and rate-limit counters whose window has ended. */
export async function pruneSharedTables(_payload: unknown, { site, em, log }: JobContext) {
  const sessions = await new PostgresSessionStore(
    site.orm,
    site.settings.session.maxAgeSeconds,
  ).prune();
  const counters = await pruneRateLimits(em);
  log.info({ sessions, counters }, 'core:prune: deleted expired sessions and rate-limit counters');
  return { sessions, counters };
}

/** The jobs core itself declares. */
export const coreJobs: JobDeclarations = {
  'core:prune': {
    description: 'Delete expired sessions and rate-limit counters (hourly).',
    handler: pruneSharedTables,
    // Past the hour, away from the minute other schedules like.
    schedule: '17 * * * *',
    retry: { limit: 2 },
  },
};
