// What staff do with stored messages: mark them spam (kept, never mailed), take them back out of
// spam (pending again, and queued for delivery), and re-send those whose delivery failed — every
// send through the one `contact-form:deliver` job, as a submission's.
import type { EntityManager, SiteContext } from '@tessera/core';
import { queueDelivery } from './jobs.ts';

/** The reason kept on a message staff marked as spam. */
export const MARKED_BY_STAFF = 'marked by staff';

/** Marks messages as spam: a pending one is then never mailed. Answers how many changed. */
export async function markSpam(em: EntityManager, ids: readonly number[]): Promise<number> {
  const rows = await em.execute<{ id: number }[]>(
    `update contact_form_message set state = 'spam', spam_reason = ?
      where id in (?) and state <> 'spam' returning id`,
    [MARKED_BY_STAFF, ids],
  );
  return rows.length;
}

/**
 * Takes messages out of spam: pending again, and each queued for delivery (a message kept as spam
 * was never mailed). Answers how many changed.
 */
export async function markNotSpam(
  site: SiteContext,
  em: EntityManager,
  ids: readonly number[],
): Promise<number> {
  const rows = await em.execute<{ id: number }[]>(
    `update contact_form_message set state = 'pending', spam_reason = null
      where id in (?) and state = 'spam' returning id`,
    [ids],
  );
  for (const { id } of rows) await queueDelivery(site, id);
  return rows.length;
}

/**
 * Queues a new delivery for each of `ids` still pending (its retries ran out, or the mail server
 * was fixed) unless one is already waiting. Answers how many were queued.
 */
export async function resend(
  site: SiteContext,
  em: EntityManager,
  ids: readonly number[],
): Promise<number> {
  const rows = await em.execute<{ id: number }[]>(
    "select id from contact_form_message where id in (?) and state = 'pending' order by id",
    [ids],
  );
  let queued = 0;
  for (const { id } of rows) if (await queueDelivery(site, id)) queued += 1;
  return queued;
}
