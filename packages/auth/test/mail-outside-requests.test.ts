// Issue 18, item 3: the reset form answered an address with an account more slowly than one
// without (the mail was sent inside the request), and a slow mail server held the request. Now
// the request does the same work for every address — it queues one job — and the job alone looks
// the address up and mails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpCapture, type SmtpCapture, type TestSite } from '@tessera/testing';
import { authSite, makeUser, queriesOf, tablesHolding } from './helpers.ts';

/** A response as a visitor could compare two of them: what differs per request is blanked. */
function visible(res: {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}): object {
  return {
    status: res.statusCode,
    location: res.headers.location,
    type: res.headers['content-type'],
    cache: res.headers['cache-control'],
    body: res.body
      .replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value="…"')
      .replace(/nonce="[^"]*"/g, 'nonce="…"'),
  };
}

describe('hardening 3: mail outside requests', () => {
  let t: TestSite;
  beforeAll(async () => {
    t = await authSite({ siteUrl: 'https://tessera.example' });
    await makeUser(t, { email: 'known@example.com' });
  });
  afterAll(() => t.close());

  it('the reset form answers an address with an account and one without alike: status, body, work', async () => {
    for (const json of [false, true]) {
      const known = await t
        .client()
        .post('/accounts/password/reset', { email: 'known@example.com' }, { json });
      const unknown = await t
        .client()
        .post('/accounts/password/reset', { email: 'nobody@example.com' }, { json });
      expect(known.statusCode).toBe(json ? 200 : 303);
      expect(visible(unknown)).toEqual(visible(known));
      // The same queries, and one job each: the request never looks the address up.
      expect(queriesOf(unknown)).toBe(queriesOf(known));
      expect((await t.site.jobs.queued('auth:send-reset')).map((j) => j.payload.email)).toEqual([
        'known@example.com',
        'nobody@example.com',
      ]);
      // Nothing was mailed inside either request; the jobs mail the account holder only.
      expect(t.outbox).toHaveLength(0);
      expect(await t.site.jobs.drain({ only: 'auth:send-reset' })).toEqual({
        completed: 2,
        failed: 0,
      });
      expect(t.outbox.map((m) => m.to)).toEqual([['known@example.com']]);
      t.outbox.length = 0;
    }
  });

  describe('with a mail server that holds every message', () => {
    let slow: SmtpCapture;
    let live: TestSite;
    beforeAll(async () => {
      slow = await startSmtpCapture({ hold: true });
      // Jobs run inside this server, as in development: the mail and the requests share a process.
      live = await authSite(
        { siteUrl: 'https://tessera.example' },
        {
          settings: {
            mail: {
              transport: `smtp://127.0.0.1:${slow.port}`,
              from: 'site@example.com',
              managers: [],
            },
            jobs: { run: 'server', pollIntervalSeconds: 0.5 },
          },
        },
      );
      await makeUser(live, { email: 'held@example.com' });
      await live.app.listen({ port: 0, host: '127.0.0.1' });
    });
    afterAll(async () => {
      await live.close();
      await slow.close();
    });

    it('a reset request answers while the mail server still holds the mail', async () => {
      const c = live.client();
      const first = await c.post('/accounts/password/reset', { email: 'held@example.com' });
      expect(first.statusCode).toBe(303);
      await expect.poll(() => slow.held.length, { timeout: 30_000 }).toBe(1);

      const second = await c.post('/accounts/password/reset', { email: 'held@example.com' });
      expect(second.statusCode).toBe(303);
      expect(second.headers.location).toBe('/accounts/password/reset/done');
      // Answered while the first mail is still held, and none accepted yet.
      expect(slow.held).toHaveLength(1);
      expect(slow.messages).toEqual([]);

      slow.release();
      await expect.poll(() => slow.messages.length, { timeout: 30_000 }).toBe(2);
      expect(slow.messages.map((m) => m.to)).toEqual([['held@example.com'], ['held@example.com']]);
      // A worker's finished job keeps no address either (the job deletes its row as it ends).
      await expect
        .poll(() => tablesHolding(live, 'held@example.com'), { timeout: 30_000 })
        .toEqual([]);
    });
  });
});
