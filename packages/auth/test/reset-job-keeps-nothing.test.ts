// The reset form queues a job with the address as typed, for every address: pg-boss kept each
// finished job, payload and error included, for 7 days, so every address anyone typed into the
// form sat in the database. The job now keeps nothing once it is done (`keepSeconds: 0`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSite } from '@tessera/testing';
import { authSite, makeUser, tablesHolding } from './helpers.ts';

describe('the reset job keeps no address once it is done', () => {
  let t: TestSite;
  beforeAll(async () => {
    t = await authSite({ siteUrl: 'https://tessera.example' });
  });
  afterAll(() => t.close());

  it('keeps no address after it ran, for an account or for no account', async () => {
    await makeUser(t, { email: 'kept-known@example.com' });
    for (const email of ['kept-known@example.com', 'kept-nobody@example.com'])
      expect((await t.client().post('/accounts/password/reset', { email })).statusCode).toBe(303);
    // Queued, the job holds the address: it is what the job needs.
    expect(await tablesHolding(t, 'kept-nobody@example.com')).toEqual(['job', 'job_common']);
    expect(await t.site.jobs.drain({ only: 'auth:send-reset' })).toEqual({
      completed: 2,
      failed: 0,
    });
    expect(t.outbox.map((m) => m.to)).toEqual([['kept-known@example.com']]);
    expect(await tablesHolding(t, 'kept-known@example.com')).toEqual([]);
    expect(await tablesHolding(t, 'kept-nobody@example.com')).toEqual([]);
  });

  it('keeps no address, nor an error quoting it, after it failed for good', async () => {
    await makeUser(t, { email: 'kept-failing@example.com' });
    t.site.mail.failWith = new Error('550 <kept-failing@example.com>: mailbox unavailable');
    try {
      await t.client().post('/accounts/password/reset', { email: 'kept-failing@example.com' });
      // Every run the retry policy allows, without waiting for the retries' delays.
      expect(await t.site.jobs.drain({ only: 'auth:send-reset' })).toEqual({
        completed: 0,
        failed: 1,
      });
      // Between runs the job keeps its address: the retry needs it.
      expect(await tablesHolding(t, 'kept-failing@example.com')).toEqual(['job', 'job_common']);
      expect(await t.site.jobs.drain({ only: 'auth:send-reset', deferred: true })).toEqual({
        completed: 0,
        failed: 5,
      });
    } finally {
      t.site.mail.failWith = null;
    }
    expect(await t.site.jobs.queued('auth:send-reset')).toEqual([]);
    expect(await tablesHolding(t, 'kept-failing@example.com')).toEqual([]);
  });
});
