import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheTagsOf, defineApp } from '@tessera/core';
import { createTestSite, type TestSite } from '@tessera/testing';
import { cache, createCache, CACHE_VERSION } from '../src/index.ts';
import { excluded } from '../src/page.ts';
import { notes, uniquePrefix } from './helpers.ts';

const prefix = uniquePrefix('options');

describe('a site-wide cache with exclusions', () => {
  let t: TestSite;
  const renders: Record<string, number> = {};
  const page = (name: string) => async () => ({
    name,
    render: (renders[name] = (renders[name] ?? 0) + 1),
  });

  beforeAll(async () => {
    t = await createTestSite({
      apps: [
        cache({
          keyPrefix: prefix,
          sitewide: { enabled: true, exclude: ['secret', 'shop:*', '/admin'], ttl: 30 },
          xCacheHeader: false,
          etag: false,
          maxBodyBytes: 100,
        }),
      ],
      routes: {
        register(fastify) {
          fastify.get('/about', { config: { name: 'about' } }, page('about'));
          fastify.get('/secret', { config: { name: 'secret' } }, page('secret'));
          fastify.get('/shop/cart', { config: { name: 'shop:cart' } }, page('cart'));
          fastify.get('/admin', page('admin'));
          fastify.get('/admin/users', page('users'));
          fastify.get('/administrators', page('administrators'));
          fastify.get('/live', { config: { cache: false } }, page('live'));
          fastify.get('/never', { config: { cache: { ttl: 0 } } }, page('never'));
          fastify.get('/big', async () => ({
            text: 'x'.repeat(200),
            render: (renders.big = (renders.big ?? 0) + 1),
          }));
          fastify.post('/about', { config: { csrf: false } }, page('post'));
        },
      },
    });
  });
  afterAll(() => t.close());

  it('caches every GET route it does not exclude (bodies up to maxBodyBytes), without x-cache or ETag headers', async () => {
    for (const url of [
      '/about',
      '/big',
      '/secret',
      '/shop/cart',
      '/admin',
      '/admin/users',
      '/administrators',
      '/live',
      '/never',
    ]) {
      await t.client().get(url);
      const again = await t.client().get(url);
      expect(again.statusCode).toBe(200);
      expect(again.headers['x-cache']).toBeUndefined();
      expect(again.headers.etag).toBeUndefined();
    }
    expect(renders).toEqual({
      about: 1,
      big: 2,
      secret: 2,
      cart: 2,
      admin: 2,
      users: 2,
      administrators: 1,
      live: 2,
      never: 2,
    });
  });

  it('never caches an unsafe method', async () => {
    await t.app.inject({ method: 'POST', url: '/about' });
    await t.app.inject({ method: 'POST', url: '/about' });
    expect(renders.post).toBe(2);
  });

  it('names its keys after the site prefix, the version and its own package version', () => {
    expect(t.app.cache.key('x')).toBe(`${prefix}:1:d:x`);
    expect(t.app.cache.scope('cache').key('x')).toBe(`${prefix}:1:cache@${CACHE_VERSION}:x`);
  });
});

describe('excluding routes from the site-wide cache', () => {
  it('matches route names exactly or by a trailing *, and paths by prefix', () => {
    expect(excluded(['auth:*'], 'auth:login', '/login')).toBe(true);
    expect(excluded(['auth:login'], 'auth:logout', '/logout')).toBe(false);
    expect(excluded(['/admin/'], undefined, '/admin/x')).toBe(true);
    expect(excluded(['/admin'], undefined, '/administer')).toBe(false);
    expect(excluded(['auth:*', 'home'], undefined, undefined)).toBe(false);
  });
});

describe('booting with options', () => {
  it('refuses the Redis backend without a URL', async () => {
    await expect(createTestSite({ apps: [cache({ backend: 'redis' })] })).rejects.toMatchObject({
      code: 'TESSERA_CACHE_REDIS_URL_REQUIRED',
    });
  });

  it('refuses a hook map entry that is neither tags nor a function', async () => {
    await expect(
      createTestSite({ apps: [notes(), cache({ hookTags: { 'notes:saved': 3 as never } })] }),
    ).rejects.toThrow(/App 'cache': option 'hookTags\.notes:saved'/);
  });

  it('refuses a hook map entry for a hook no installed app fires, naming the closest', async () => {
    await expect(
      createTestSite({ apps: [notes(), cache({ hookTags: { 'notes:savd': ['x'] } as never })] }),
    ).rejects.toThrow(
      /tessera\.E011: A listener waits for hook 'notes:savd'[\s\S]*Did you mean 'notes:saved'/,
    );
  });

  it("takes the site's name as the key prefix, and publishes its counters where the kernel offers a registry", async () => {
    const registry = new Map<string, () => Record<string, number>>();
    const metrics = defineApp({
      name: 'metrics-registry',
      setup(_fastify, { site }) {
        (site.services as unknown as { stats: typeof registry }).stats = registry;
      },
    });
    const t = await createTestSite({
      apps: [metrics(), cache()],
      settings: { siteName: 'My Shop!' },
    });
    try {
      expect(t.app.cache.key('x')).toBe('my-shop:1:d:x');
      await t.app.cache.wrap('x', async () => 1);
      expect(registry.get('cache')!()).toMatchObject({ misses: 1, hits: 0, available: 1 });
    } finally {
      await t.close();
    }
  });
});

describe('a site without the cache app', () => {
  it('lets routes tag their pages and declare a cache policy, at no cost', async () => {
    let recorded: readonly string[] = [];
    const t = await createTestSite({
      apps: [],
      routes: {
        register(fastify) {
          fastify.get(
            '/page',
            { config: { cache: { ttl: 60, tags: ['blog:list'] } } },
            async (_request, reply) => {
              reply.cacheTags('blog:entry:a').cacheTags('tagging:tag:b');
              recorded = cacheTagsOf(reply);
              return { ok: true };
            },
          );
        },
      },
    });
    try {
      const res = await t.client().get('/page');
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-cache']).toBeUndefined();
      expect(recorded).toEqual(['blog:entry:a', 'tagging:tag:b']);
      await t.site.services.invalidateTags(['blog:list']);
    } finally {
      await t.close();
    }
  });
});

describe('the memory backend', () => {
  it('drops the least recently used entries beyond its bounds', async () => {
    const c = await createCache({ maxEntries: 2 });
    await c.set('a', 1);
    await c.set('b', 2);
    await c.set('c', 3);
    expect(await c.get('a')).toBeUndefined();
    expect(await c.get('c')).toBe(3);
    const small = await createCache({ maxBytes: 200 });
    await small.set('big', 'x'.repeat(500));
    expect(await small.get('big')).toBeUndefined();
    await c.close();
    await small.close();
  });
});
