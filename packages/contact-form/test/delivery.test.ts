// A message is never lost and never mailed twice: transport failures, retries, and two
// processes retrying at once.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSite, type SentMail } from '@tessera/core';
import type { TestSite } from '@tessera/testing';
import { contactForm, deliverPending, DEFAULT_RETRY_DELAY, MAX_RETRY_DELAY } from '../src/index.ts';
import { backoff } from '../src/delivery.ts';
import { DEFAULT_MESSAGE, createContactSite, reset, storedMessages } from './helpers.ts';

let t: TestSite;

beforeAll(async () => {
  t = await createContactSite();
});
afterAll(() => t.close());
beforeEach(() => reset(t));

/** Submits `n` messages while the transport is down; they all stay pending. */
async function pendingMessages(n: number): Promise<void> {
  t.site.mail.failWith = new Error('smtp down');
  const c = t.client();
  for (let i = 1; i <= n; i++) {
    const res = await c.post('/contact', { ...DEFAULT_MESSAGE, message: `message ${i}` });
    expect(res.statusCode).toBe(303);
  }
  t.site.mail.failWith = null;
}

/** Makes every pending message due now, as if its wait had passed. */
async function makeDue(): Promise<void> {
  await t
    .em()
    .getConnection()
    .execute(
      "update contact_form_message set next_attempt_at = now() - interval '1 second' where state = 'pending'",
    );
}

const deliverCommand = contactForm.spec.commands!['contact-form:deliver']!;

describe('when the mail transport fails', () => {
  it('the message stays stored as pending and the sender still sees the thank-you page', async () => {
    t.site.mail.failWith = new Error('smtp down');
    const res = await t.client().post('/contact', DEFAULT_MESSAGE);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/contact/sent');
    const [stored] = await storedMessages(t);
    expect(stored).toMatchObject({
      state: 'pending',
      attempts: 1,
      lastError: 'smtp down',
      sentAt: null,
    });
    const wait = stored!.nextAttemptAt!.getTime() - stored!.createdAt.getTime();
    expect(wait).toBeGreaterThan(DEFAULT_RETRY_DELAY / 2);
    expect(wait).toBeLessThan(DEFAULT_RETRY_DELAY * 2);
    expect(t.outbox).toHaveLength(0);
  });

  it('a retry before the message is due does nothing; once due it delivers exactly once', async () => {
    await pendingMessages(1);
    expect(await deliverPending(t.site)).toEqual({ sent: 0, failed: 0 });
    expect(t.outbox).toHaveLength(0);

    await makeDue();
    expect(await deliverPending(t.site)).toEqual({ sent: 1, failed: 0 });
    expect(await deliverPending(t.site)).toEqual({ sent: 0, failed: 0 });
    expect(t.outbox).toHaveLength(1);
    expect(t.outbox[0]!.text).toContain('message 1');
    const [stored] = await storedMessages(t);
    expect(stored).toMatchObject({
      state: 'sent',
      attempts: 2,
      lastError: null,
      nextAttemptAt: null,
    });
  });

  it('a retry that fails again waits twice as long before the next', async () => {
    await pendingMessages(1);
    await makeDue();
    t.site.mail.failWith = new Error('still down');
    expect(await deliverPending(t.site)).toEqual({ sent: 0, failed: 1 });
    const [stored] = await storedMessages(t);
    expect(stored).toMatchObject({ state: 'pending', attempts: 2, lastError: 'still down' });
    const [{ wait }] = await t
      .em()
      .getConnection()
      .execute<{ wait: number }[]>(
        'select extract(epoch from next_attempt_at - now()) * 1000 as wait from contact_form_message',
      );
    expect(Number(wait)).toBeGreaterThan(DEFAULT_RETRY_DELAY * 1.5);
    expect(Number(wait)).toBeLessThanOrEqual(DEFAULT_RETRY_DELAY * 2);
  });

  it('backs off by doubling, up to an hour', () => {
    expect(backoff(60_000, 1)).toBe(60_000);
    expect(backoff(60_000, 2)).toBe(120_000);
    expect(backoff(60_000, 3)).toBe(240_000);
    expect(backoff(60_000, 30)).toBe(MAX_RETRY_DELAY);
    expect(backoff(0, 5)).toBe(0);
  });

  it('a claim left behind by a crashed process is taken over once it expires, not before', async () => {
    await pendingMessages(2);
    const conn = t.em().getConnection();
    const [first, second] = await storedMessages(t);
    // The first was being sent by a process that died; the second is being sent right now.
    await conn.execute(
      "update contact_form_message set state = 'sending', next_attempt_at = now() - interval '1 second' where id = ?",
      [first!.id],
    );
    await conn.execute(
      "update contact_form_message set state = 'sending', next_attempt_at = now() + interval '10 minutes' where id = ?",
      [second!.id],
    );
    expect(await deliverPending(t.site)).toEqual({ sent: 1, failed: 0 });
    const [a, b] = await storedMessages(t);
    expect(a!.state).toBe('sent');
    expect(b!.state).toBe('sending');
    expect(t.outbox).toHaveLength(1);
  });
});

describe('tessera contact-form:deliver', () => {
  it('delivers every due message and prints how many', async () => {
    await pendingMessages(3);
    await makeDue();
    await pendingMessages(1); // not due yet
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await deliverCommand.run(t.site, [])).toBe(0);
      expect(log).toHaveBeenCalledWith(
        'Delivered 3 contact message(s); 0 failed and stay pending.',
      );
      expect(t.outbox).toHaveLength(3);

      expect(await deliverCommand.run(t.site, ['--all'])).toBe(0);
      expect(log).toHaveBeenLastCalledWith(
        'Delivered 1 contact message(s); 0 failed and stay pending.',
      );
      expect(t.outbox).toHaveLength(4);
    } finally {
      log.mockRestore();
    }
    expect((await storedMessages(t)).map((m) => m.state)).toEqual(['sent', 'sent', 'sent', 'sent']);
  });

  it('fails when a delivery fails, so a cron job notices', async () => {
    await pendingMessages(1);
    t.site.mail.failWith = new Error('smtp down');
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await deliverCommand.run(t.site, ['--all'])).toBe(1);
      expect(log).toHaveBeenCalledWith(
        'Delivered 0 contact message(s); 1 failed and stay pending.',
      );
    } finally {
      log.mockRestore();
    }
  });
});

describe('two processes retrying at once', () => {
  it('mail every pending message exactly once between them', async () => {
    await pendingMessages(12);
    await makeDue();
    // A second process: its own site, ORM, pool and mailer on the same database.
    const other = await createSite(t.site.settings);
    try {
      const slow = (mail: typeof t.site.mail) => {
        const send = mail.send.bind(mail);
        mail.send = async (m) => {
          await new Promise((r) => setTimeout(r, 5));
          return send(m);
        };
      };
      slow(t.site.mail);
      slow(other.tessera.mail);
      const [a, b] = await Promise.all([deliverPending(t.site), deliverPending(other.tessera)]);
      expect(a.sent + b.sent).toBe(12);
      expect(a.failed + b.failed).toBe(0);
      const all: SentMail[] = [...t.outbox, ...other.tessera.mail.outbox];
      const ids = all.map((m) => /Message #(\d+)/.exec(m.text)![1]);
      expect(new Set(ids).size).toBe(12);
      expect(ids).toHaveLength(12);
      expect((await storedMessages(t)).every((m) => m.state === 'sent' && m.attempts === 2)).toBe(
        true,
      );
    } finally {
      await other.close();
      delete (t.site.mail as { send?: unknown }).send;
    }
  });
});

describe('after delivery', () => {
  it('a failing contact-form:sent listener does not undo the delivery', async () => {
    const off = t.site.hooks.on('contact-form:sent', function brokenListener() {
      throw new Error('listener bug');
    });
    try {
      const res = await t.client().post('/contact', DEFAULT_MESSAGE);
      expect(res.statusCode).toBe(303);
      const [stored] = await storedMessages(t);
      expect(stored!.state).toBe('sent');
      expect(t.outbox).toHaveLength(1);
    } finally {
      off();
    }
  });
});
