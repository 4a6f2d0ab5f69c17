// Per-address rate limit on the POST routes, counted in PostgreSQL so every process shares it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSite, expectCountChange, type TestSite } from '@tessera/testing';
import { ContactMessage, ContactRateLimit, contactForm } from '../src/index.ts';
import { pruneRateLimits } from '../src/rate-limit.ts';
import { DEFAULT_MESSAGE, DEFAULT_MOUNT } from './helpers.ts';

let t: TestSite;

beforeAll(async () => {
  t = await createTestSite({
    apps: [contactForm({ rateLimit: { max: 2, timeWindow: '1 minute' }, retryInterval: 0 })],
    routes: { mounts: DEFAULT_MOUNT },
  });
});
afterAll(() => t.close());

describe('the rate limit', () => {
  it('refuses a third submission from one address with a clear 429, and stores nothing', async () => {
    const c = t.client();
    expect((await c.post('/contact', DEFAULT_MESSAGE)).statusCode).toBe(303);
    expect((await c.post('/contact/api', DEFAULT_MESSAGE, { json: true })).statusCode).toBe(202);

    const page = await expectCountChange(t.em, ContactMessage, 0, () =>
      c.post('/contact', DEFAULT_MESSAGE),
    );
    expect(page.statusCode).toBe(429);
    expect(page.body).toContain(
      'Too many messages from your address. Please try again in 1 minute.',
    );
    expect(page.headers['retry-after']).toBeDefined();

    const api = await c.post('/contact/api', DEFAULT_MESSAGE, { json: true });
    expect(api.statusCode).toBe(429);
    expect(api.json()).toMatchObject({ status: 429, code: 'TESSERA_CONTACT_FORM_RATE_LIMITED' });
    expect(t.outbox).toHaveLength(2);
  });

  it('still shows the form to a limited address', async () => {
    expect((await t.client().get('/contact')).statusCode).toBe(200);
  });

  it('counts each address on its own', async () => {
    // Another address is not limited: it gets as far as the CSRF check.
    const res = await t.app.inject({
      method: 'POST',
      url: '/contact',
      remoteAddress: '10.0.0.9',
      payload: DEFAULT_MESSAGE,
    });
    expect(res.statusCode).toBe(403);
    const rows = await t.em().find(ContactRateLimit, {}, { orderBy: { key: 'asc' } });
    expect(rows.map((r) => [r.key, r.hits])).toEqual([
      ['10.0.0.9', 1],
      ['127.0.0.1', 4],
    ]);
  });

  it('starts counting again once the window has ended, and forgets ended windows', async () => {
    await t
      .em()
      .getConnection()
      .execute(
        "update contact_form_rate_limit set reset_at = now() - interval '1 second' where key = '10.0.0.9'",
      );
    expect(await pruneRateLimits(t.em())).toBe(1);
    await t
      .em()
      .getConnection()
      .execute("update contact_form_rate_limit set reset_at = now() - interval '1 second'");
    expect((await t.client().post('/contact', DEFAULT_MESSAGE)).statusCode).toBe(303);
    const [row] = await t.em().find(ContactRateLimit, {});
    expect(row!.hits).toBe(1);
  });
});
