import { afterAll, afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { Redis } from 'ioredis';
import { createCache, NotSerializable, type Cache } from '../src/index.ts';
import { REDIS_URL, dropKeys, gate, recordingLog, uniquePrefix } from './helpers.ts';

const prefix = uniquePrefix('data');
const opened: Cache[] = [];

async function open(backend: 'memory' | 'redis', extra: Parameters<typeof createCache>[0] = {}) {
  const c = await createCache(
    { backend, keyPrefix: prefix, ...(backend === 'redis' ? { url: REDIS_URL } : {}), ...extra },
    { log: recordingLog() },
  );
  opened.push(c);
  return c;
}

afterEach(() => {
  vi.useRealTimers();
});

afterAll(async () => {
  for (const c of opened) await c.close();
  await dropKeys(prefix);
});

describe.each(['memory', 'redis'] as const)('the %s backend', (backend) => {
  it('answers a value it was given, and nothing after it is deleted', async () => {
    const c = await open(backend, { version: `get-${backend}` });
    expect(await c.get('k')).toBeUndefined();
    await c.set('k', { n: 1, list: ['a'] });
    expect(await c.get('k')).toEqual({ n: 1, list: ['a'] });
    await c.delete('k');
    expect(await c.get('k')).toBeUndefined();
    expect(c.stats()).toMatchObject({ backend, available: true, hits: 1 });
  });

  it('stores null as a value, apart from a missing key', async () => {
    const c = await open(backend, { version: `null-${backend}` });
    let runs = 0;
    const compute = async () => {
      runs += 1;
      return null;
    };
    expect(await c.wrap('nothing', compute)).toBeNull();
    expect(await c.wrap('nothing', compute)).toBeNull();
    expect(runs).toBe(1);
  });

  it('forgets a value once its ttl has passed', async () => {
    const c = await open(backend, { version: `ttl-${backend}`, defaultTtl: 30 });
    vi.useFakeTimers({ toFake: ['Date'] });
    await c.set('short', 'v', { ttl: 10 });
    await c.set('default', 'v');
    vi.setSystemTime(Date.now() + 11_000);
    expect(await c.get('short')).toBeUndefined();
    expect(await c.get('default')).toBe('v');
    vi.setSystemTime(Date.now() + 20_000);
    expect(await c.get('default')).toBeUndefined();
  });

  it('stores nothing for a ttl of zero', async () => {
    const c = await open(backend, { version: `zero-${backend}` });
    await c.set('k', 'v', { ttl: 0 });
    expect(await c.get('k')).toBeUndefined();
  });

  it('drops every value tagged with an invalidated tag, and only those', async () => {
    const c = await open(backend, { version: `tags-${backend}` });
    await c.set('a', 1, { tags: ['blog:list', 'blog:entry:a'] });
    await c.set('b', 2, { tags: ['blog:entry:b'] });
    await c.set('c', 3);
    await c.invalidateTags(['blog:entry:a']);
    expect(await c.get('a')).toBeUndefined();
    expect(await c.get('b')).toBe(2);
    expect(await c.get('c')).toBe(3);
    await c.set('a', 10, { tags: ['blog:entry:a'] });
    expect(await c.get('a')).toBe(10);
    await c.invalidateTags([]);
    expect(c.stats().invalidations).toBe(1);
  });

  it('does not keep a value whose tag was invalidated while it was being computed', async () => {
    const c = await open(backend, { version: `race-${backend}` });
    const computing = gate();
    const release = gate<string>();
    const first = c.wrap(
      'page',
      async () => {
        computing.open();
        return release.promise;
      },
      { tags: ['blog:list'] },
    );
    await computing.promise;
    await c.invalidateTags(['blog:list']);
    release.open('old title');
    expect(await first).toBe('old title');
    expect(await c.wrap('page', async () => 'new title', { tags: ['blog:list'] })).toBe(
      'new title',
    );
  });

  it('computes once for a hundred concurrent misses of one key', async () => {
    const c = await open(backend, { version: `flight-${backend}` });
    const release = gate<number>();
    let runs = 0;
    const callers = Array.from({ length: 100 }, () =>
      c.wrap('hot', async () => {
        runs += 1;
        return release.promise;
      }),
    );
    await vi.waitFor(() => expect(c.stats().coalesced).toBe(99));
    release.open(42);
    expect(await Promise.all(callers)).toEqual(Array(100).fill(42));
    expect(runs).toBe(1);
    expect(c.stats()).toMatchObject({ misses: 1, coalesced: 99 });
    expect(await c.get('hot')).toBe(42);
  });

  it('never hands a caller that comes after an invalidation a computation begun before it', async () => {
    const c = await open(backend, { version: `flight-epoch-${backend}` });
    const first = gate<string>();
    let title = 'old title';
    let runs = 0;
    const compute = async () => {
      runs += 1;
      if (runs === 1) {
        const read = title; // read before the write below
        await first.promise;
        return read;
      }
      return title;
    };
    const before = c.wrap('entry', compute, { tags: ['entry'] });
    const joined = c.wrap('entry', compute, { tags: ['entry'] });
    await vi.waitFor(() => expect(c.stats().coalesced).toBe(1));
    // A write, then its invalidation, while the first computation still runs.
    title = 'new title';
    await c.invalidateTags(['entry']);
    const after = c.wrap('entry', compute, { tags: ['entry'] });
    // It has either begun its own computation or is waiting on the store's lock (with Redis).
    await vi.waitFor(() => expect(runs + c.stats().coalesced).toBe(3));
    first.open('');
    expect(await after).toBe('new title');
    expect(runs).toBe(2);
    expect(await before).toBe('old title');
    expect(await joined).toBe('old title');
    expect(await c.get('entry')).not.toBe('old title');
  });

  it('hands the computation error to every caller that waited for it, and stores nothing', async () => {
    const c = await open(backend, { version: `error-${backend}` });
    const release = gate();
    let runs = 0;
    const callers = Array.from({ length: 5 }, () =>
      c.wrap('broken', async () => {
        runs += 1;
        await release.promise;
        throw new Error('database down');
      }),
    );
    await vi.waitFor(() => expect(c.stats().coalesced).toBe(4));
    release.open();
    const results = await Promise.allSettled(callers);
    expect(
      results.every((r) => r.status === 'rejected' && /database down/.test(String(r.reason))),
    ).toBe(true);
    expect(runs).toBe(1);
    expect(await c.get('broken')).toBeUndefined();
  });

  it('serves the stale value while one caller refreshes it', async () => {
    const c = await open(backend, { version: `swr-${backend}` });
    vi.useFakeTimers({ toFake: ['Date'] });
    let version = 1;
    const compute = async () => `v${version}`;
    expect(await c.wrap('feed', compute, { ttl: 10, staleWhileRevalidate: 60 })).toBe('v1');
    version = 2;
    vi.setSystemTime(Date.now() + 15_000);
    expect(await c.wrap('feed', compute, { ttl: 10, staleWhileRevalidate: 60 })).toBe('v1');
    expect(c.stats().stale).toBe(1);
    await c.drain();
    expect(await c.wrap('feed', compute, { ttl: 10, staleWhileRevalidate: 60 })).toBe('v2');
    vi.setSystemTime(Date.now() + 100_000);
    version = 3;
    expect(await c.wrap('feed', compute, { ttl: 10, staleWhileRevalidate: 60 })).toBe('v3');
  });

  it('keeps serving the stale value when its refresh fails', async () => {
    const log = recordingLog();
    const c = await createCache(
      {
        backend,
        keyPrefix: prefix,
        version: `swr-fail-${backend}`,
        ...(backend === 'redis' ? { url: REDIS_URL } : {}),
      },
      { log },
    );
    opened.push(c);
    vi.useFakeTimers({ toFake: ['Date'] });
    await c.wrap('feed', async () => 'old', { ttl: 10, staleWhileRevalidate: 60 });
    vi.setSystemTime(Date.now() + 15_000);
    const failing = async (): Promise<string> => {
      throw new Error('feed source down');
    };
    expect(await c.wrap('feed', failing, { ttl: 10, staleWhileRevalidate: 60 })).toBe('old');
    await c.drain();
    expect(log.warnings.some((w) => w.includes('refreshing a stale entry failed'))).toBe(true);
    expect(await c.wrap('feed', failing, { ttl: 10, staleWhileRevalidate: 60 })).toBe('old');
  });

  it("keeps an app's keys apart by the app's version", async () => {
    const c = await open(backend, { version: `scope-${backend}` });
    const v1 = c.scope('blog', '0.1.0');
    const v2 = c.scope('blog', '0.2.0');
    await v1.set('sidebar', 'old format');
    expect(await v1.get('sidebar')).toBe('old format');
    expect(await v2.get('sidebar')).toBeUndefined();
    expect(await c.get('sidebar')).toBeUndefined();
    expect(v2.key('sidebar')).toBe(`${prefix}:scope-${backend}:blog@0.2.0:sidebar`);
    expect(c.scope('unknown').key('x')).toBe(`${prefix}:scope-${backend}:unknown@0:x`);
  });

  it('refuses a value that cannot be stored as JSON', async () => {
    const c = await open(backend, { version: `json-${backend}` });
    await expect(c.set('big', { n: 10n })).rejects.toBeInstanceOf(NotSerializable);
    await expect(c.wrap('big', async () => ({ n: 10n }))).rejects.toMatchObject({
      code: 'TESSERA_CACHE_NOT_SERIALIZABLE',
    });
  });
});

describe('the Redis backend across processes', () => {
  it('overwrites an entry it cannot read', async () => {
    const c = await open('redis', { version: 'corrupt' });
    const raw = new Redis(REDIS_URL);
    try {
      await raw.set(c.key('k'), 'not json', 'PX', 60_000);
      expect(await c.get('k')).toBeUndefined();
      expect(await c.wrap('k', async () => 'rebuilt')).toBe('rebuilt');
      expect(await c.get('k')).toBe('rebuilt');
      expect(c.stats().errors).toBe(0);
    } finally {
      raw.disconnect();
    }
  });

  it('computes once for a hundred concurrent misses split between two processes', async () => {
    const a = await open('redis', { version: 'cross' });
    const b = await open('redis', { version: 'cross' });
    const release = gate<string>();
    let runs = 0;
    const compute = async () => {
      runs += 1;
      return release.promise;
    };
    const callers = Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).wrap('hot', compute));
    await vi.waitFor(() => expect(a.stats().coalesced + b.stats().coalesced).toBe(99));
    release.open('once');
    expect(await Promise.all(callers)).toEqual(Array(100).fill('once'));
    expect(runs).toBe(1);
  });

  it('sees values and invalidations written by another process', async () => {
    const a = await open('redis', { version: 'shared' });
    const b = await open('redis', { version: 'shared' });
    await a.set('k', 'from a', { tags: ['t'] });
    expect(await b.get('k')).toBe('from a');
    await b.invalidateTags(['t']);
    expect(await a.get('k')).toBeUndefined();
  });

  it('computes on its own when the process holding the lock never fills the key', async () => {
    const a = await open('redis', { version: 'abandoned', lockTimeoutMs: 300 });
    const b = await open('redis', { version: 'abandoned', lockTimeoutMs: 300 });
    const stuck = gate<string>();
    const first = a.wrap('k', () => stuck.promise);
    await vi.waitFor(() => expect(a.stats().misses).toBe(1));
    expect(await b.wrap('k', async () => 'b computed')).toBe('b computed');
    stuck.open('a computed');
    expect(await first).toBe('a computed');
  });
});

it('types what wrap answers after what the computation returns', async () => {
  const c = await open('memory', { version: 'types' });
  const n = await c.wrap('typed', async () => 1);
  expectTypeOf(n).toEqualTypeOf<number>();
  expectTypeOf(await c.get<string>('typed')).toEqualTypeOf<string | undefined>();
  expect(n).toBe(1);
});
