// Per-address rate limit on the POST routes, counted in core's PostgreSQL store so every process
// shares it, and only for requests that passed the CSRF check.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RateLimitCounter, pruneRateLimits } from '@tessera/core';
import {
  createTestSite,
  expectCountChange,
  type TestClient,
  type TestSite,
} from '@tessera/testing';
import { ContactMessage, contactForm } from '../src/index.ts';
import { DEFAULT_MESSAGE, DEFAULT_MOUNT, deliver, reset } from './helpers.ts';

let t: TestSite;

beforeAll(async () => {
  t = await createTestSite({
    apps: [contactForm({ rateLimit: { max: 2, timeWindow: '1 minute' } })],
    routes: { mounts: DEFAULT_MOUNT },
    settings: { trustProxy: true },
  });
});
afterAll(() => t.close());
beforeEach(() => reset(t));

let nextIp = 1;
/** A browser at an address of its own (behind the trusted proxy). */
function visitor(ip = `192.0.2.${nextIp++}`): TestClient {
  const c = t.client();
  const request = c.request.bind(c);
  c.request = (method, url, body, opts) =>
    request(method, url, body, { ...opts, headers: { ...opts.headers, 'x-forwarded-for': ip } });
  return c;
}

describe('the rate limit', () => {
  it('refuses a third submission from one address with a clear 429, and stores nothing', async () => {
    const c = visitor();
    expect((await c.post('/contact', DEFAULT_MESSAGE)).statusCode).toBe(303);
    expect((await c.post('/contact/api', DEFAULT_MESSAGE, { json: true })).statusCode).toBe(202);

    const page = await expectCountChange(t.em, ContactMessage, 0, () =>
      c.post('/contact', DEFAULT_MESSAGE),
    );
    expect(page.statusCode).toBe(429);
    // The wait counts down from the first submission: "1 minute", or seconds on a slow machine.
    expect(page.body).toMatch(
      /Too many messages from your address\. Please try again in (1 minute|\d+ seconds)\./,
    );
    expect(page.headers['retry-after']).toBeDefined();

    const api = await c.post('/contact/api', DEFAULT_MESSAGE, { json: true });
    expect(api.statusCode).toBe(429);
    expect(api.json()).toMatchObject({ status: 429, code: 'TESSERA_CONTACT_FORM_RATE_LIMITED' });
    await deliver(t);
    expect(t.outbox).toHaveLength(2);
    // A limited address still sees the form.
    expect((await c.get('/contact')).statusCode).toBe(200);
  });

  it('counts each address on its own, and keeps a keyed hash of it, never the address', async () => {
    const first = visitor('198.51.100.23');
    await first.post('/contact', DEFAULT_MESSAGE);
    await first.post('/contact', DEFAULT_MESSAGE);
    expect((await first.post('/contact', DEFAULT_MESSAGE)).statusCode).toBe(429);
    expect((await visitor('198.51.100.24').post('/contact', DEFAULT_MESSAGE)).statusCode).toBe(303);
    const rows = await t.em().find(RateLimitCounter, {}, { orderBy: { hits: 'desc' } });
    expect(rows.map((r) => [r.namespace, r.hits])).toEqual([
      ['contact-form:submit', 3],
      ['contact-form:submit', 1],
    ]);
    const dump = JSON.stringify(
      await t.em().getConnection().execute('select * from core_rate_limit'),
    );
    expect(dump).not.toMatch(/198\.51\.100/);
  });

  // Issue 18, item 7: the limit ran in `onRequest`, before core's CSRF check, so a hostile page
  // could spend a visitor's submissions with forged posts and lock them out of the form.
  it('forged posts without a CSRF token do not use up the visitor’s submissions', async () => {
    const victim = visitor('203.0.113.50');
    for (let i = 0; i < 5; i++) {
      const forged = await victim.post('/contact', DEFAULT_MESSAGE, { csrf: false });
      expect(forged.statusCode).toBe(403);
      const forgedJson = await victim.post('/contact/api', DEFAULT_MESSAGE, {
        json: true,
        csrf: false,
      });
      expect(forgedJson.statusCode).toBe(403);
    }
    expect(await t.em().count(RateLimitCounter, {})).toBe(0);
    expect((await victim.post('/contact', DEFAULT_MESSAGE)).statusCode).toBe(303);
    expect((await victim.post('/contact/api', DEFAULT_MESSAGE, { json: true })).statusCode).toBe(
      202,
    );
  });

  it('starts counting again once the window has ended, and core forgets ended windows', async () => {
    const c = visitor('198.51.100.30');
    await c.post('/contact', DEFAULT_MESSAGE);
    await c.post('/contact', DEFAULT_MESSAGE);
    await t
      .em()
      .getConnection()
      .execute("update core_rate_limit set expires_at = now() - interval '1 second'");
    expect(await pruneRateLimits(t.em())).toBe(1);
    expect((await c.post('/contact', DEFAULT_MESSAGE)).statusCode).toBe(303);
    const [row] = await t.em().find(RateLimitCounter, {});
    expect(row!.hits).toBe(1);
  });
});
