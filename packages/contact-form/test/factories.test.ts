// The factories the app publishes for other tests (`@tessera/contact-form/testing`).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TEST_MANAGERS, type TestSite } from '@tessera/testing';
import { queueUndelivered } from '../src/index.ts';
import { makeMessage } from '../src/testing.ts';
import { createContactSite, deliver, reset, storedMessages } from './helpers.ts';

let t: TestSite;

beforeAll(async () => {
  t = await createContactSite();
});
afterAll(() => t.close());
beforeEach(() => reset(t));

describe('makeMessage', () => {
  it('stores a pending message of the default form, which the delivery command queues', async () => {
    const made = await makeMessage(t);
    const [stored] = await storedMessages(t);
    expect(stored).toMatchObject({ id: made.id, formName: 'contact', state: 'pending' });
    expect(stored!.data).toEqual({
      name: expect.stringMatching(/^Sender \d+$/),
      email: expect.stringMatching(/^sender\d+@example\.com$/),
      message: expect.stringMatching(/^Message \d+$/),
    });
    expect(await queueUndelivered(t.site)).toEqual({ pending: 1, queued: 1 });
    expect(await deliver(t)).toEqual({ completed: 1, failed: 0 });
    expect(t.outbox.map((m) => m.to)).toEqual([TEST_MANAGERS]);
  });

  it('takes overrides, and makes several with their own senders', async () => {
    await makeMessage(t, { state: 'spam', data: { email: 'bot@example.com' } });
    const [a, b] = await makeMessage.many(t, 2);
    expect(a!.data.email).not.toBe(b!.data.email);
    const stored = await storedMessages(t);
    expect(stored.map((m) => [m.state, m.spamReason])).toEqual([
      ['spam', 'test'],
      ['pending', null],
      ['pending', null],
    ]);
    // Spam is never mailed.
    expect(await queueUndelivered(t.site)).toEqual({ pending: 2, queued: 2 });
    expect(await deliver(t)).toEqual({ completed: 2, failed: 0 });
    expect(t.outbox).toHaveLength(2);
  });
});
