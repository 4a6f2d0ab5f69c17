import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@tessera/core/internal';
import { createCache } from '../src/index.ts';
import {
  OwnRedis,
  dropKeys,
  TcpProxy,
  entriesSite,
  recordingLog,
  uniquePrefix,
  waitFor,
  type EntriesSite,
} from './helpers.ts';

const prefix = uniquePrefix('outage');

/** Records the cache's warnings and notes on the site's log (Fastify's own lines are left out). */
function recordLogs(t: EntriesSite) {
  const log = recordingLog();
  const mine = (m: unknown) => typeof m === 'string' && m.startsWith('cache:');
  t.site.log.warn = ((o: object, m: string) => mine(m) && log.warn(o, m)) as typeof t.site.log.warn;
  t.site.log.info = ((o: object, m: string) => mine(m) && log.info(o, m)) as typeof t.site.log.info;
  return log;
}

describe('Redis stopped mid-test (a server of our own)', () => {
  let redis: OwnRedis;
  let t: EntriesSite;
  let log: ReturnType<typeof recordingLog>;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    t = await entriesSite({
      cacheOptions: { backend: 'redis', url: redis.url, keyPrefix: prefix, redisTimeoutMs: 300 },
    });
    log = recordLogs(t);
  });
  afterAll(async () => {
    await t.close();
    await redis.stop();
  });

  it('keeps answering 200 from the database, warns once, and uses the cache again when Redis returns', async () => {
    await t.client().get('/entries');
    expect((await t.client().get('/entries')).headers['x-cache']).toBe('HIT');
    const renders = t.renders.entries!;

    await redis.stop();
    for (let i = 0; i < 5; i++) {
      const res = await t.client().get('/entries');
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('<li>Hello</li>');
    }
    expect(t.renders.entries).toBeGreaterThanOrEqual(renders + 5);
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]).toContain(`Redis at ${redis.url} is unreachable`);
    expect(t.app.cache.stats().available).toBe(false);
    await t.retitle('hello', 'Saved during the outage');
    await t.site.services.invalidateTags(['blog:list', 'blog:entry:hello']);
    expect((await t.client().get('/entries')).body).toContain('Saved during the outage');

    await redis.start();
    await waitFor(async () => (await t.client().get('/entries')).headers['x-cache'] === 'HIT');
    expect(log.infos.some((m) => m.includes('reachable again'))).toBe(true);
    expect(log.warnings).toHaveLength(1);
    expect(t.app.cache.stats().available).toBe(true);
  });
});

describe('Redis cut off behind a proxy (its data kept)', () => {
  let proxy: TcpProxy;
  let t: EntriesSite;

  beforeAll(async () => {
    proxy = await TcpProxy.start(6379);
    t = await entriesSite({
      cacheOptions: {
        backend: 'redis',
        url: proxy.url,
        keyPrefix: `${prefix}-proxy`,
        redisTimeoutMs: 300,
      },
    });
    recordLogs(t);
  });
  afterAll(async () => {
    await t.close();
    await proxy.cut();
    await dropKeys(`${prefix}-proxy`);
  });

  it('an invalidation made during the outage is applied before any stored page is served again', async () => {
    await t.client().get('/entries');
    expect((await t.client().get('/entries')).headers['x-cache']).toBe('HIT');
    await proxy.cut();
    await t.retitle('hello', 'Changed while Redis was away');
    await t.site.services.invalidateTags(['blog:list', 'blog:entry:hello']);
    await proxy.restore();
    await waitFor(() => t.app.cache.stats().available);
    const page = await t.client().get('/entries');
    expect(page.body).toContain('Changed while Redis was away');
    expect(page.headers['x-cache']).toBe('MISS');
    expect((await t.client().get('/entries')).headers['x-cache']).toBe('HIT');
  });
});

describe('memory caches sharing invalidations over a Redis that goes away', () => {
  let redis: OwnRedis;
  let t: EntriesSite;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    t = await entriesSite({
      cacheOptions: {
        backend: 'memory',
        url: redis.url,
        keyPrefix: `${prefix}-bus`,
        redisTimeoutMs: 300,
      },
    });
    log = recordLogs(t);
  });
  afterAll(async () => {
    await t.close();
    await redis.stop();
  });
  let log: ReturnType<typeof recordingLog>;

  it('bypasses the memory cache while invalidations cannot be shared, then starts afresh', async () => {
    await t.client().get('/entries/hello');
    expect((await t.client().get('/entries/hello')).headers['x-cache']).toBe('HIT');
    await redis.stop();
    await waitFor(() => !t.app.cache.stats().available);
    const during = await t.client().get('/entries/hello');
    expect(during.statusCode).toBe(200);
    expect(during.headers['x-cache']).toBe('MISS');
    await t.app.cache.invalidateTags(['blog:entry:second']);

    await redis.start();
    await waitFor(() => t.app.cache.stats().available);
    expect(log.warnings).toHaveLength(1);
    expect(log.infos).toHaveLength(1);
    expect((await t.client().get('/entries/hello')).headers['x-cache']).toBe('MISS');
    expect((await t.client().get('/entries/hello')).headers['x-cache']).toBe('HIT');
  });
});

describe('Redis unreachable from the start', () => {
  it('a cache still computes every value, and says once that Redis is away', async () => {
    const log = recordingLog();
    const url = `redis://127.0.0.1:${await freePort()}`;
    const c = await createCache(
      { backend: 'redis', url, redisTimeoutMs: 200, keyPrefix: prefix },
      { log },
    );
    let runs = 0;
    for (let i = 0; i < 3; i++) expect(await c.wrap('k', async () => ++runs)).toBe(i + 1);
    await c.set('k', 1);
    expect(await c.get('k')).toBeUndefined();
    await c.delete('k');
    await c.invalidateTags(['t']);
    expect(c.stats()).toMatchObject({ available: false, misses: 3 });
    expect(log.warnings).toHaveLength(1);
    await c.close();
  });

  it('a site boots and serves its pages', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const t = await entriesSite({
      cacheOptions: { backend: 'redis', url, keyPrefix: prefix, redisTimeoutMs: 200 },
    });
    try {
      expect((await t.client().get('/entries')).statusCode).toBe(200);
      expect((await t.client().get('/entries')).headers['x-cache']).toBe('MISS');
    } finally {
      await t.close();
    }
  });
});
