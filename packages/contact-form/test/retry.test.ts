// The server retries pending deliveries by itself, and stops when the site closes.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestSite, type TestSite } from '@tessera/testing';
import { RateLimitCounter } from '@tessera/core';
import { contactForm } from '../src/index.ts';
import { Delivery } from '../src/delivery.ts';
import { DEFAULT_MESSAGE, DEFAULT_MOUNT, storedMessages } from './helpers.ts';

let t: TestSite;

beforeAll(async () => {
  t = await createTestSite({
    apps: [
      contactForm({
        retryInterval: 20,
        retryDelay: 0,
        rateLimit: { max: 10, timeWindow: 1 },
      }),
    ],
    routes: { mounts: DEFAULT_MOUNT },
  });
});
afterAll(() => t.close());

describe('the periodic retry', () => {
  it('delivers a message the transport refused, once the transport is back, exactly once', async () => {
    t.site.mail.failWith = new Error('smtp down');
    expect((await t.client().post('/contact', DEFAULT_MESSAGE)).statusCode).toBe(303);
    // While the transport is down the retries keep failing, and the message stays pending.
    await vi.waitFor(async () => {
      const [stored] = await storedMessages(t);
      expect(stored!.attempts).toBeGreaterThanOrEqual(3);
    });
    expect(t.outbox).toHaveLength(0);

    t.site.mail.failWith = null;
    await vi.waitFor(async () => {
      const [stored] = await storedMessages(t);
      expect(stored!.state).toBe('sent');
    });
    const [stored] = await storedMessages(t);
    // Three more runs of the retry find nothing to do: still one mail.
    const runs = vi.spyOn(Delivery.prototype, 'deliverDue');
    try {
      await vi.waitFor(() => expect(runs.mock.calls.length).toBeGreaterThanOrEqual(3));
      await Promise.all(runs.mock.results.map((r) => r.value));
      expect(await Promise.all(runs.mock.results.slice(0, 3).map((r) => r.value))).toEqual([
        { sent: 0, failed: 0 },
        { sent: 0, failed: 0 },
        { sent: 0, failed: 0 },
      ]);
    } finally {
      runs.mockRestore();
    }
    expect(t.outbox).toHaveLength(1);
    expect(t.outbox[0]!.text).toContain(`Message #${stored!.id}`);
  });

  it('forgets rate-limit windows that have ended', async () => {
    await vi.waitFor(async () => {
      expect(await t.em().count(RateLimitCounter, {})).toBe(0);
    });
  });
});
