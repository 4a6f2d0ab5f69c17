// Delivery as a job: one `contact-form:deliver` job per stored message, sent in the transaction
// that stores it, run by the site's workers outside any request, retried with backoff. The stored
// message stays the source of truth: `queueUndelivered` finds every pending one again.
import type { JobDeclarations, RetryPolicy, SiteContext } from '@tessera/core';
import { CONTACT_FORM } from './runtime.ts';

/**
 * How a failed delivery is tried again: from 10 seconds, doubling, at most an hour apart, twelve
 * times (about four hours in all). After that the job is kept as failed and the message as pending:
 * `tessera contact-form:deliver` (or `tessera jobs retry contact-form:deliver`) queues it again.
 */
export const DELIVERY_RETRY: Required<RetryPolicy> = {
  limit: 12,
  delaySeconds: 10,
  backoff: true,
  maxDelaySeconds: 3600,
};

/**
 * A delivery's worker beats every 10 seconds; a run whose worker stopped beating for 20 (killed
 * mid-send) is retried elsewhere, without waiting for the job's 15-minute timeout.
 */
export const DELIVERY_HEARTBEAT_SECONDS = 20;

/** The jobs the contact form declares. */
export const contactFormJobs: JobDeclarations = {
  'contact-form:deliver': {
    description: 'Mail one stored contact message to its recipients (retried with backoff).',
    // One job per message waiting or running: queueing a message again adds nothing.
    exclusive: true,
    heartbeatSeconds: DELIVERY_HEARTBEAT_SECONDS,
    retry: DELIVERY_RETRY,
    handler: ({ messageId }, { site, em, log }) =>
      site.state.get(CONTACT_FORM).delivery.deliver(em, messageId, log),
  },
};

/**
 * Queues the delivery of message `messageId`: inside a transaction, as part of it. Answers false
 * when the message already has a delivery waiting or running.
 */
export async function queueDelivery(site: SiteContext, messageId: number): Promise<boolean> {
  const id = await site.jobs.enqueue(
    'contact-form:deliver',
    { messageId },
    { key: String(messageId) },
  );
  return id !== null;
}

/** What `queueUndelivered` found. */
export interface QueueReport {
  /** Messages still pending. */
  pending: number;
  /** Those that had no delivery waiting or running, and now have one. */
  queued: number;
}

/**
 * Queues a delivery for every pending message that has none waiting or running — after the mail
 * server was fixed and a message's retries ran out, or after jobs were lost with a database
 * restore. What `tessera contact-form:deliver` runs. Mails nothing itself: the workers do.
 */
export async function queueUndelivered(site: SiteContext): Promise<QueueReport> {
  const rows = await site.orm.em
    .fork()
    .getConnection()
    .execute<{ id: number }[]>(
      "select id from contact_form_message where state = 'pending' order by id",
    );
  let queued = 0;
  for (const { id } of rows) if (await queueDelivery(site, id)) queued += 1;
  return { pending: rows.length, queued };
}
