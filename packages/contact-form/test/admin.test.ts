import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin } from '@tessera/admin';
import { argon2id, auth } from '@tessera/auth';
import { TEST_PASSWORD, makeStaff } from '@tessera/auth/testing';
import { createTestSite, type TestClient, type TestSite } from '@tessera/testing';
import { contactForm } from '../src/index.ts';
import { makeMessage } from '../src/testing.ts';
import { deliver, storedMessages } from './helpers.ts';

// The contact form registers its messages with the admin: read-only, filtered by status, marked
// spam or not, and re-sent through the app's own delivery job.

const MESSAGES = '/admin/contact-form/message';
let t: TestSite;
let staff: TestClient;

beforeAll(async () => {
  t = await createTestSite({
    apps: [
      auth({ passwordHashers: [argon2id({ memoryCost: 8, timeCost: 1, parallelism: 1 })] }),
      contactForm({ rateLimit: false }),
      admin(),
    ],
    routes: { mounts: { 'contact-form': '/contact', auth: '/accounts', admin: '/admin' } },
  });
  await makeStaff(t, {
    email: 'moderator@example.com',
    permissions: ['contact-form.view_message', 'contact-form.change_message'],
  });
  staff = t.client();
  const res = await staff.post('/accounts/login', {
    email: 'moderator@example.com',
    password: TEST_PASSWORD,
  });
  expect(res.statusCode).toBe(303);
});
afterAll(() => t?.close());

describe('contact messages in the admin', () => {
  it('lists messages, filters by status and searches what was sent', async () => {
    await makeMessage(t, { data: { name: 'Ada', email: 'ada@example.com', message: 'Engines' } });
    await makeMessage(t, {
      state: 'spam',
      data: { name: 'Bot', email: 'bot@x.test', message: 'Buy' },
    });
    const all = await staff.get(MESSAGES);
    expect(all.statusCode).toBe(200);
    expect(all.body).toContain('2 messages');
    expect((await staff.get(`${MESSAGES}?state=spam`)).body).toContain('1 message<');
    expect((await staff.get(`${MESSAGES}?q=engines`)).body).toContain('1 message<');
    // Messages are read, never edited: no add page.
    expect(all.body).not.toContain('Add message');
    expect((await staff.get(`${MESSAGES}/add`)).statusCode).toBe(404);
  });

  it('shows a message’s every field, read-only', async () => {
    const m = await makeMessage(t, {
      data: { name: 'Grace', email: 'grace@example.com', message: 'About COBOL' },
    });
    const page = await staff.get(`${MESSAGES}/${m.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('About COBOL');
    expect(page.body).toContain('grace@example.com');
    expect(page.body).not.toContain('<button type="submit">Save</button>');
    expect((await staff.post(`${MESSAGES}/${m.id}`, { state: 'sent' })).statusCode).toBe(404);
  });

  it('marks spam, and takes a message out of spam to deliver it', async () => {
    const m = await makeMessage(t, {
      data: { name: 'Kay', email: 'kay@example.com', message: 'Hi' },
    });
    t.outbox.length = 0;
    await staff.post(MESSAGES, { action: 'mark-spam', ids: [m.id] });
    let row = (await storedMessages(t)).find((r) => r.id === m.id)!;
    expect(row).toMatchObject({ state: 'spam', spamReason: 'marked by staff' });
    expect((await staff.get(MESSAGES)).body).toContain('Marked 1 message as spam.');
    await staff.post(MESSAGES, { action: 'not-spam', ids: [m.id] });
    await deliver(t);
    row = (await storedMessages(t)).find((r) => r.id === m.id)!;
    expect(row.state).toBe('sent');
    expect(t.outbox).toHaveLength(1);
  });

  it('re-sends a failed delivery through the delivery job, pending messages only', async () => {
    const failed = await makeMessage(t, { attempts: 5, lastError: 'connection refused' });
    const sent = await makeMessage(t, { state: 'sent', sentAt: new Date() });
    t.outbox.length = 0;
    const res = await staff.post(MESSAGES, { action: 'resend', ids: [failed.id, sent.id] });
    expect(res.statusCode).toBe(303);
    expect((await staff.get(MESSAGES)).body).toContain('Queued 1 message for delivery');
    await deliver(t);
    expect((await storedMessages(t)).find((r) => r.id === failed.id)!.state).toBe('sent');
    expect(t.outbox).toHaveLength(1);
  });
});
