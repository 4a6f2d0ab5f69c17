import {
  invalidForm,
  invalidateOnCommit,
  transaction,
  type CurrentUser,
  type EntityManager,
  type SiteContext,
} from '@tessera/core';
import { cleanTagNames, getTagging, type TagRow } from '@tessera/tagging';
import { cacheTagsFor, cloudTagsFor } from './cache-tags.ts';
import { Entry, ENTRY_TABLE } from './entry.entity.ts';
import { duplicateSlug, entryRejected } from './errors.ts';
import { excerptOf, renderMarkdown, SLUG_PATTERN, slugifyTitle } from './markdown.ts';
import { blogOf } from './runtime.ts';
import { ENTRY_STATUSES, type EntryDetail, type EntryInput, type EntrySummary } from './types.ts';

/** Who is saving or deleting, for hooks and the author of a new entry. */
export interface WriteOptions {
  user: CurrentUser | null;
}

/** The summary hooks and cache invalidation get of an entry row. */
export function summaryOf(entry: EntryDetail): EntrySummary {
  return {
    id: entry.id,
    slug: entry.slug,
    title: entry.title,
    status: entry.status,
    pubDate: entry.pubDate,
    tags: entry.tags.map((t) => t.slug),
    authorId: entry.author?.id ?? null,
    url: entry.url,
  };
}

/** The checks a save makes after `blog:entry-saving` listeners had their say. */
function checked(site: SiteContext, input: EntryInput): { slug: string; tags: TagRow[] } {
  if (!ENTRY_STATUSES.includes(input.status)) {
    throw invalidForm({ status: [`Select a valid status: ${ENTRY_STATUSES.join(' or ')}.`] });
  }
  if (!(input.pubDate === null || (input.pubDate instanceof Date && !isNaN(+input.pubDate)))) {
    throw invalidForm({ pubDate: ['Enter a valid date and time.'] });
  }
  const slug = input.slug || slugifyTitle(input.title);
  if (!SLUG_PATTERN.test(slug)) {
    throw invalidForm({ slug: ['Use lower-case letters, digits and single dashes only.'] });
  }
  try {
    return { slug, tags: cleanTagNames(input.tags, getTagging(site).rules) };
  } catch (err) {
    throw invalidForm({ tags: [(err as Error).message] });
  }
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { name?: string; code?: string };
  return e?.name === 'UniqueConstraintViolationException' || e?.code === '23505';
}

/**
 * Creates an entry (`slug` null) or changes the entry with slug `slug`: runs `blog:entry-saving`
 * (listeners may change the input or veto), renders and sanitises the markdown, writes the entry
 * and its tags in one transaction, then — after commit — invalidates the cache tags of its pages
 * (with tagging's, in one call) and fires `blog:entry-saved` and, the first time the entry goes
 * live (live and dated now or earlier), `blog:entry-published`. A live entry dated later goes
 * live when its date comes (`publishDue`).
 * Bad input throws an error with field `errors` (422) and writes nothing.
 */
export async function saveEntry(
  site: SiteContext,
  em: EntityManager,
  slug: string | null,
  input: EntryInput,
  opts: WriteOptions,
): Promise<EntrySummary> {
  const { reads, options } = blogOf(site);
  const previousRow = slug === null ? null : await reads.detail(em, slug);
  if (slug !== null && !previousRow) throw invalidForm({ __all__: [`No entry "${slug}".`] });
  const previous = previousRow && summaryOf(previousRow);
  const saving = await site.hooks.run('blog:entry-saving', {
    entry: { ...input, tags: [...input.tags], extra: { ...input.extra } },
    previous,
    user: opts.user,
  });
  if (saving.vetoed) throw entryRejected(saving.reason);
  const data = saving.payload.entry;
  const clean = checked(site, data);
  const tagging = getTagging(site);

  let firstPublished = false;
  let created = false;
  const summary = await transaction(em, async (tx, onCommit) => {
    if (previous) {
      // Locks the row: two editors publishing at once fire `blog:entry-published` once.
      await tx.execute(`select 1 from ${ENTRY_TABLE} where id = ? for update`, [previous.id]);
    } else {
      created = true;
    }
    const taken = await tx.execute<{ id: number }[]>(
      `select id from ${ENTRY_TABLE} where slug = ? and id <> ?`,
      [clean.slug, previous?.id ?? 0],
    );
    if (taken.length) throw duplicateSlug(clean.slug);
    const entry = previous
      ? await tx.findOneOrFail(Entry, { id: previous.id })
      : tx.create(Entry, {
          title: data.title,
          slug: clean.slug,
          body: '',
          bodyHtml: '',
          excerpt: '',
          status: data.status,
          pubDate: data.pubDate ?? new Date(),
          author: opts.user ? opts.user.id : null,
        } as never);
    const html = renderMarkdown(data.body);
    entry.title = data.title;
    entry.slug = clean.slug;
    entry.body = data.body;
    entry.bodyHtml = html;
    entry.excerpt = data.excerpt.trim() || excerptOf(html, options.excerptLength);
    entry.status = data.status;
    if (data.pubDate) entry.pubDate = data.pubDate;
    // Live and dated now or earlier: it goes live with this save. Live and dated later: it waits,
    // and `blog:publish-due` announces it when the date comes. A draft waits for nothing.
    const now = new Date();
    const live = entry.status === 'live';
    entry.publishPending = live && entry.pubDate > now;
    if (live && !entry.publishPending && !entry.firstPublishedAt) {
      entry.firstPublishedAt = now;
      firstPublished = true;
    }
    try {
      await tx.flush();
    } catch (err) {
      if (isUniqueViolation(err)) throw duplicateSlug(clean.slug);
      throw err;
    }
    await tagging.setTags(
      tx,
      entry,
      clean.tags.map((t) => t.name),
      { onCommit },
    );
    const saved: EntrySummary = {
      id: entry.id,
      slug: entry.slug,
      title: entry.title,
      status: entry.status,
      pubDate: entry.pubDate,
      tags: clean.tags.map((t) => t.slug).sort(),
      authorId: previous ? previous.authorId : (opts.user?.id ?? null),
      url: reads.url(entry.slug, entry.pubDate),
    };
    invalidateOnCommit(site, onCommit, [
      ...cacheTagsFor(previous, saved),
      ...cloudTagsFor(previous, saved, now),
    ]);
    onCommit(async () => {
      await site.hooks.emit('blog:entry-saved', {
        entry: saved,
        previous,
        created,
        user: opts.user,
        extra: data.extra,
      });
      if (firstPublished) await site.hooks.emit('blog:entry-published', { entry: saved });
    });
    return saved;
  });
  return summary;
}

/**
 * Deletes the entry with slug `slug` and its tags in one transaction; after commit, invalidates
 * its cache tags and fires `blog:entry-deleted`. Answers what was deleted, or null when no entry
 * has that slug.
 */
export async function deleteEntry(
  site: SiteContext,
  em: EntityManager,
  slug: string,
  opts: WriteOptions,
): Promise<EntrySummary | null> {
  const { reads } = blogOf(site);
  const row = await reads.detail(em, slug);
  if (!row) return null;
  const entry = summaryOf(row);
  const tagging = getTagging(site);
  await transaction(em, async (tx, onCommit) => {
    // Tags are a generic relation (no foreign key): they go with the entry, in the same transaction.
    await tagging.setTags(tx, { type: ENTRY_TABLE, id: entry.id }, [], { onCommit });
    await tx.execute(`delete from ${ENTRY_TABLE} where id = ?`, [entry.id]);
    invalidateOnCommit(site, onCommit, cacheTagsFor(entry));
    onCommit(() => site.hooks.emit('blog:entry-deleted', { entry, user: opts.user }));
  });
  return entry;
}
