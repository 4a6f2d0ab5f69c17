// Delivery is a job per message: a failed send keeps the message pending and the job retries it
// with backoff; a message whose retries ran out is queued again by the command; two workers never
// mail one message twice.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSite, type SentMail } from '@tessera/core';
import type { TestSite } from '@tessera/testing';
import {
  DELIVERY_HEARTBEAT_SECONDS,
  DELIVERY_RETRY,
  contactForm,
  queueDelivery,
} from '../src/index.ts';
import { DEFAULT_MESSAGE, createContactSite, deliver, reset, storedMessages } from './helpers.ts';

let t: TestSite;

beforeAll(async () => {
  t = await createContactSite();
});
afterAll(() => t.close());
beforeEach(() => reset(t));

const deliverCommand = contactForm.spec.commands!['contact-form:deliver']!;

/** Runs `tessera contact-form:deliver`; answers its exit code and what it printed. */
async function runCommand(): Promise<{ code: number; printed: string[] }> {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    const code = (await deliverCommand.run(t.site, [], {})) as number;
    return { code, printed: log.mock.calls.map((c) => String(c[0])) };
  } finally {
    log.mockRestore();
  }
}

describe('the contact-form:deliver job', () => {
  it('is declared one per message, retried with backoff and watched by a heartbeat', () => {
    const job = t.site.jobs.list().find((j) => j.name === 'contact-form:deliver');
    expect(job).toMatchObject({
      app: 'contact-form',
      exclusive: true,
      heartbeatSeconds: DELIVERY_HEARTBEAT_SECONDS,
      retry: DELIVERY_RETRY,
    });
  });

  it('a spam message gets no job', async () => {
    await t.client().post('/contact', { ...DEFAULT_MESSAGE, homepage: 'http://spam.example' });
    expect((await storedMessages(t)).map((m) => m.state)).toEqual(['spam']);
    expect(await t.site.jobs.queued('contact-form:deliver')).toEqual([]);
  });
});

describe('when the mail transport fails', () => {
  it('the message stays pending with the reason, and its job waits for a retry', async () => {
    t.site.mail.failWith = new Error('smtp down');
    const res = await t.client().post('/contact', DEFAULT_MESSAGE);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/contact/sent');
    expect(await deliver(t)).toEqual({ completed: 0, failed: 1 });
    const [stored] = await storedMessages(t);
    expect(stored).toMatchObject({
      state: 'pending',
      attempts: 1,
      lastError: 'smtp down',
      sentAt: null,
    });
    const [job] = await t.site.jobs.queued('contact-form:deliver');
    expect(job).toMatchObject({ state: 'retry', runs: 1, payload: { messageId: stored!.id } });
    // Backoff: not before its first delay.
    expect(job!.startAfter.getTime()).toBeGreaterThan(Date.now());
    expect(t.outbox).toHaveLength(0);
  });

  it('the retry delivers once the transport is back, exactly once', async () => {
    t.site.mail.failWith = new Error('smtp down');
    await t.client().post('/contact', DEFAULT_MESSAGE);
    await deliver(t);
    t.site.mail.failWith = null;
    // Its delay has not passed: a worker leaves it alone until then.
    expect(await deliver(t)).toEqual({ completed: 0, failed: 0 });
    expect(await deliver(t, { deferred: true })).toEqual({ completed: 1, failed: 0 });
    expect(await deliver(t, { deferred: true })).toEqual({ completed: 0, failed: 0 });
    expect(t.outbox).toHaveLength(1);
    const [stored] = await storedMessages(t);
    expect(stored).toMatchObject({ state: 'sent', attempts: 2, lastError: null });
    expect(t.outbox[0]!.text).toContain(`Message #${stored!.id}`);
  });

  it('a run repeated after the mail went out (a worker killed before it finished) mails nothing', async () => {
    await t.client().post('/contact', DEFAULT_MESSAGE);
    await deliver(t);
    const [stored] = await storedMessages(t);
    expect(await queueDelivery(t.site, stored!.id)).toBe(true);
    expect(await deliver(t)).toEqual({ completed: 1, failed: 0 });
    expect(t.outbox).toHaveLength(1);
    expect((await storedMessages(t))[0]).toMatchObject({ state: 'sent', attempts: 1 });
  });
});

describe('tessera contact-form:deliver', () => {
  it('queues a message whose retries ran out again, and the workers deliver it', async () => {
    t.site.mail.failWith = new Error('smtp down');
    await t.client().post('/contact', DEFAULT_MESSAGE);
    // Every retry, without waiting for the delays: the job fails for good.
    expect(await deliver(t, { deferred: true })).toEqual({
      completed: 0,
      failed: DELIVERY_RETRY.limit + 1,
    });
    expect(await t.site.jobs.queued('contact-form:deliver')).toEqual([]);
    expect(await t.site.jobs.failures()).toMatchObject([
      { name: 'contact-form:deliver', error: 'smtp down' },
    ]);
    const [kept] = await storedMessages(t);
    expect(kept).toMatchObject({ state: 'pending', attempts: DELIVERY_RETRY.limit + 1 });

    t.site.mail.failWith = null;
    expect(await runCommand()).toEqual({
      code: 0,
      printed: ['1 contact message(s) pending: queued 1; 0 already had a delivery job.'],
    });
    // The command mails nothing itself.
    expect(t.outbox).toHaveLength(0);
    expect(await deliver(t)).toEqual({ completed: 1, failed: 0 });
    expect(t.outbox).toHaveLength(1);
    expect((await storedMessages(t))[0]!.state).toBe('sent');
  });

  it('adds no second job for a message whose job is still waiting', async () => {
    await t.client().post('/contact', DEFAULT_MESSAGE);
    await t.client().post('/contact', { ...DEFAULT_MESSAGE, homepage: 'x' }); // spam
    expect(await runCommand()).toEqual({
      code: 0,
      printed: ['1 contact message(s) pending: queued 0; 1 already had a delivery job.'],
    });
    expect(await t.site.jobs.queued('contact-form:deliver')).toHaveLength(1);
    expect(await deliver(t)).toEqual({ completed: 1, failed: 0 });
    expect(t.outbox).toHaveLength(1);
  });
});

describe('two workers at once', () => {
  it('mail every message exactly once between them', async () => {
    for (let i = 1; i <= 12; i++)
      await t.client().post('/contact', { ...DEFAULT_MESSAGE, message: `message ${i}` });
    // A second process: its own site, ORM, pool and mailer on the same database.
    const other = await createSite(t.site.settings);
    try {
      const [a, b] = await Promise.all([
        deliver(t),
        other.tessera.jobs.drain({ only: 'contact-form:deliver' }),
      ]);
      expect(a.completed + b.completed).toBe(12);
      expect(a.failed + b.failed).toBe(0);
      const all: SentMail[] = [...t.outbox, ...other.tessera.mail.outbox];
      const ids = all.map((m) => /Message #(\d+)/.exec(m.text)![1]);
      expect(ids).toHaveLength(12);
      expect(new Set(ids).size).toBe(12);
      expect((await storedMessages(t)).every((m) => m.state === 'sent' && m.attempts === 1)).toBe(
        true,
      );
    } finally {
      await other.close();
    }
  });
});

describe('after delivery', () => {
  it('a failing contact-form:sent listener does not undo the delivery', async () => {
    const off = t.site.hooks.on('contact-form:sent', function brokenListener() {
      throw new Error('listener bug');
    });
    try {
      await t.client().post('/contact', DEFAULT_MESSAGE);
      expect(await deliver(t)).toEqual({ completed: 1, failed: 0 });
      const [stored] = await storedMessages(t);
      expect(stored!.state).toBe('sent');
      expect(t.outbox).toHaveLength(1);
    } finally {
      off();
    }
  });
});
