// The one PostgreSQL store every app's rate limit counts in: a real @fastify/rate-limit store,
// shared by every process, with keys hashed under the site's secret.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import type { TestSite } from '@tessera/testing';
import {
  PostgresRateLimitStore,
  RateLimitCounter,
  pruneRateLimits,
  rateLimitStore,
  type SiteContext,
} from '../src/index.ts';
import { coreApp, schemaDrift } from '../src/internal.ts';
import { createNotesSite } from './helpers.ts';

let t: TestSite;

/** Two limited routes sharing one namespace, and a third counting apart. */
async function limitedRoutes(fastify: FastifyInstance, site: SiteContext): Promise<void> {
  await fastify.register(async function limited(scope) {
    await scope.register(rateLimit, { global: false, store: rateLimitStore(site, 'notes:ping') });
    const limit = { rateLimit: { max: 2, timeWindow: 60_000 } };
    scope.get('/ping', { config: limit }, async () => ({ ok: true }));
    scope.get('/pong', { config: limit }, async () => ({ ok: true }));
  });
  await fastify.register(async function peeking(scope) {
    await scope.register(rateLimit, { global: false, store: rateLimitStore(site, 'notes:peek') });
    const check = scope.createRateLimit({ max: 1, timeWindow: 60_000 });
    scope.get('/peek', async (request) => {
      const before = await check(request, { increment: false });
      await check(request);
      const after = await check(request, { increment: false });
      return { before, after };
    });
  });
}

beforeAll(async () => {
  t = await createNotesSite({ routes: { register: limitedRoutes } });
});
afterAll(() => t.close());
beforeEach(async () => {
  await t.em().getConnection().execute('truncate core_rate_limit');
});

const rows = () =>
  t
    .em()
    .find(RateLimitCounter, {}, { orderBy: { namespace: 'asc', key: 'asc' } })
    .then((all) => all.map((r) => ({ namespace: r.namespace, key: r.key, hits: r.hits })));

function store(namespace = 'tests:store', options = {}): PostgresRateLimitStore {
  return new PostgresRateLimitStore(t.site, namespace, options);
}

describe('as a @fastify/rate-limit store', () => {
  it('refuses past the limit with 429 and Retry-After, one count across the routes it serves', async () => {
    const from = (url: string) => t.app.inject({ url, remoteAddress: '192.0.2.10' });
    const first = await from('/ping');
    expect(first.statusCode).toBe(200);
    expect(first.headers['x-ratelimit-remaining']).toBe('1');
    expect((await from('/pong')).statusCode).toBe(200);
    const third = await from('/ping');
    expect(third.statusCode).toBe(429);
    expect(Number(third.headers['retry-after'])).toBeGreaterThan(50);
    // Another address counts on its own.
    expect((await t.app.inject({ url: '/ping', remoteAddress: '192.0.2.11' })).statusCode).toBe(
      200,
    );
  });

  it('stores a keyed hash of each address, never the address', async () => {
    await t.app.inject({ url: '/ping', remoteAddress: '198.51.100.77' });
    const [row] = await rows();
    expect(row).toMatchObject({ namespace: 'notes:ping', hits: 1 });
    expect(row!.key).toMatch(/^[0-9a-f]{64}$/);
    const dump = JSON.stringify(
      await t.em().getConnection().execute('select * from core_rate_limit'),
    );
    expect(dump).not.toContain('198.51.100.77');
  });

  it('answers createRateLimit’s look without counting (`increment: false` reads)', async () => {
    const res = await t.app.inject({ url: '/peek', remoteAddress: '192.0.2.12' });
    const { before, after } = res.json();
    expect(before).toMatchObject({ remaining: 1, isExceeded: false });
    expect(after).toMatchObject({ remaining: 0, isExceeded: false });
    expect((await rows()).map((r) => r.hits)).toEqual([1]);
  });
});

describe('counting', () => {
  it('counts hits in a window that starts at the first one, and peeks without counting', async () => {
    const s = store();
    expect(await s.peek(['a'])).toEqual([{ current: 0, ttl: 0 }]);
    const [one] = await s.hit(['a'], 60_000);
    expect(one!.current).toBe(1);
    expect(one!.ttl).toBeGreaterThan(59_000);
    expect(one!.ttl).toBeLessThanOrEqual(60_000);
    const [a, b] = await s.hit(['a', 'b'], 60_000);
    expect([a!.current, b!.current]).toEqual([2, 1]);
    expect((await s.peek(['b', 'a', 'c'])).map((c) => c.current)).toEqual([1, 2, 0]);
    expect((await s.hit(['a', 'a'], 60_000)).map((c) => c.current)).toEqual([3, 3]);
  });

  it('starts again once the window has ended', async () => {
    const s = store();
    await s.hit(['a'], 60_000);
    await s.hit(['a'], 60_000);
    await t
      .em()
      .getConnection()
      .execute("update core_rate_limit set expires_at = now() - interval '1 second'");
    expect(await s.peek(['a'])).toEqual([{ current: 0, ttl: 0 }]);
    expect((await s.hit(['a'], 60_000))[0]!.current).toBe(1);
  });

  it('forgets keys on reset, in its own namespace only', async () => {
    const s = store('tests:one');
    const other = store('tests:two');
    await s.hit(['a', 'b'], 60_000);
    await other.hit(['a'], 60_000);
    await s.reset(['a']);
    expect((await s.peek(['a', 'b'])).map((c) => c.current)).toEqual([0, 1]);
    expect((await other.peek(['a']))[0]!.current).toBe(1);
  });

  it('is shared by every store of the same site and namespace, as between processes', async () => {
    await store().hit(['shared'], 60_000);
    expect((await store().peek(['shared']))[0]!.current).toBe(1);
    const otherSecret = new PostgresRateLimitStore(
      { orm: t.site.orm, settings: { secretKey: 'another-site-secret-that-is-long-enough' } },
      'tests:store',
    );
    expect((await otherSecret.peek(['shared']))[0]!.current).toBe(0);
  });

  it('starts the window again past the limit with continueExceeding', async () => {
    const s = store('tests:continue', { continueExceeding: true });
    await s.hit(['a'], 60_000, 1);
    await t
      .em()
      .getConnection()
      .execute("update core_rate_limit set expires_at = now() + interval '5 seconds'");
    const [past] = await s.hit(['a'], 60_000, 1);
    expect(past!.current).toBe(2);
    expect(past!.ttl).toBeGreaterThan(59_000);
  });

  it('doubles the window with each hit past the limit with exponentialBackoff', async () => {
    const s = store('tests:backoff', { exponentialBackoff: true });
    await s.hit(['a'], 10_000, 1);
    const [first] = await s.hit(['a'], 10_000, 1);
    const [second] = await s.hit(['a'], 10_000, 1);
    const [third] = await s.hit(['a'], 10_000, 1);
    expect(first!.ttl).toBeGreaterThan(9_000);
    expect(first!.ttl).toBeLessThanOrEqual(10_000);
    expect(second!.ttl).toBeGreaterThan(19_000);
    expect(third!.ttl).toBeGreaterThan(39_000);
    expect(third!.ttl).toBeLessThanOrEqual(40_000);
  });

  it('refuses a namespace that does not name an app’s limit', () => {
    expect(() => store('Not A Namespace')).toThrow(/must look like '<app>:<limit>'/);
  });
});

describe('pruneRateLimits', () => {
  it('deletes ended windows of every namespace and keeps live ones', async () => {
    await store('tests:one').hit(['old', 'live'], 60_000);
    await store('tests:two').hit(['old'], 60_000);
    const s = store('tests:one');
    await s.hit(['live'], 60_000);
    await t
      .em()
      .getConnection()
      .execute(
        "update core_rate_limit set expires_at = now() - interval '1 second' where hits = 1",
      );
    expect(await pruneRateLimits(t.em())).toBe(2);
    expect((await rows()).map((r) => r.hits)).toEqual([2]);
  });
});

describe('the table', () => {
  it('is core’s: its entity and migration agree on a site with no other app', async () => {
    expect(coreApp.entities).toContain(RateLimitCounter);
    expect(await schemaDrift(t.site.serverUrl, [coreApp])).toEqual({ up: '', down: '' });
  });
});
