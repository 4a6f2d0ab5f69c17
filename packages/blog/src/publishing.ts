// Scheduled publishing: a live entry dated in the future is saved waiting (`publish_pending`),
// and `blog:publish-due`, every minute, takes those whose date has come — marking each in the same
// statement, so each is announced once however many workers run the schedule — then, after the
// commit, invalidates the pages that now list them and fires `blog:entry-published` for each that
// never went live before.
import {
  invalidateOnCommit,
  transaction,
  type EntityManager,
  type JobContext,
  type JobDeclarations,
  type SiteContext,
} from '@tessera/core';
import { TAGGING_CACHE_TAGS } from '@tessera/tagging';
import { cacheTagsFor } from './cache-tags.ts';
import { summaryOf } from './entries.ts';
import { ENTRY_TABLE } from './entry.entity.ts';
import { blogOf } from './runtime.ts';
import type { EntrySummary } from './types.ts';

/** How often `blog:publish-due` looks for entries whose date has come: every minute. */
export const PUBLISH_DUE_SCHEDULE = '* * * * *';

/** What one pass of `publishDue` did. */
export interface PublishReport {
  /** Entries whose date came: their pages were invalidated. */
  due: string[];
  /** Those of them that went live for the first time: `blog:entry-published` fired. */
  published: string[];
}

/**
 * Takes every live entry whose publication date has come and which still waits for it, marks it
 * live (and, the first time, when it went live) in one transaction, and after the commit
 * invalidates its pages' cache tags and fires `blog:entry-published` once per first publication.
 * Rows another pass holds are skipped (`skip locked`): two workers never announce one entry twice.
 */
export async function publishDue(site: SiteContext, em: EntityManager): Promise<PublishReport> {
  const { reads } = blogOf(site);
  return transaction(em, async (tx, onCommit) => {
    const rows = await tx.execute<{ slug: string; first: boolean }[]>(
      `with due as (
         select id, first_published_at is null as first from ${ENTRY_TABLE}
         where publish_pending and status = 'live' and pub_date <= now()
         order by pub_date, id
         for update skip locked)
       update ${ENTRY_TABLE} e
       set publish_pending = false, first_published_at = coalesce(e.first_published_at, now())
       from due where e.id = due.id
       returning e.slug, due.first`,
    );
    if (!rows.length) return { due: [], published: [] };
    const entries: EntrySummary[] = [];
    for (const row of rows) {
      const detail = await reads.detail(tx, row.slug);
      if (detail) entries.push(summaryOf(detail));
    }
    const first = new Set(rows.filter((r) => r.first).map((r) => r.slug));
    // They are visible now: the cloud counts their tags (tagging counts only what a visitor sees).
    invalidateOnCommit(site, onCommit, [...cacheTagsFor(...entries), TAGGING_CACHE_TAGS.cloud]);
    onCommit(async () => {
      for (const entry of entries)
        if (first.has(entry.slug)) await site.hooks.emit('blog:entry-published', { entry });
    });
    return { due: rows.map((r) => r.slug), published: [...first] };
  });
}

/** The jobs the blog declares. */
export const blogJobs: JobDeclarations = {
  'blog:publish-due': {
    description: 'Announce live entries whose publication date has come (every minute).',
    schedule: PUBLISH_DUE_SCHEDULE,
    retry: { limit: 2 },
    async handler(_payload, { site, em, log }: JobContext) {
      const report = await publishDue(site, em);
      if (report.due.length) log.info(report, 'blog: entries went live on their date');
      return report;
    },
  },
};
