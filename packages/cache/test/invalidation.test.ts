import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSite, type TestSite } from '@tessera/testing';
import { cache } from '../src/index.ts';
import {
  REDIS_URL,
  dropKeys,
  entriesSite,
  notes,
  uniquePrefix,
  waitFor,
  type EntriesSite,
} from './helpers.ts';

const prefix = uniquePrefix('invalidation');
afterAll(() => dropKeys(prefix));

describe('the cache app and other apps', () => {
  it('knows no other app’s hooks: it listens to none unless the site maps one', async () => {
    const t = await createTestSite({ apps: [notes(), cache()] });
    try {
      const listening = t.site.hooks.list().filter((h) => h.listeners.length);
      expect(listening).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('names no other app’s hooks or cache tags in its code', () => {
    const dir = new URL('../src/', import.meta.url);
    for (const file of readdirSync(dir)) {
      // Code, not comments: the docs may show a site's example (`exclude: ['auth:*']`).
      const code = readFileSync(new URL(file, dir), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
      expect(code, file).not.toMatch(/['`](blog|tagging|auth|contact-form):/);
    }
  });
});

describe.each(['memory', 'redis'] as const)('invalidation on the %s backend', (backend) => {
  let t: EntriesSite;
  beforeAll(async () => {
    t = await entriesSite({
      apps: [notes()],
      cacheOptions: {
        backend,
        keyPrefix: `${prefix}-${backend}`,
        ...(backend === 'redis' ? { url: REDIS_URL } : {}),
        hookTags: {
          'notes:saved': (payload) => [`notes:note:${payload.slug}`],
          'notes:counted': ['contact:count'],
          'notes:broken': () => {
            throw new Error('bad mapping');
          },
        },
      },
      register(fastify) {
        fastify.get(
          '/tags/:slug',
          {
            config: {
              cache: { tags: (r) => [`tagging:tag:${(r.params as { slug: string }).slug}`] },
            },
          },
          async (request) => {
            t.renders.tag = (t.renders.tag ?? 0) + 1;
            return { tag: (request.params as { slug: string }).slug, render: t.renders.tag };
          },
        );
        fastify.get(
          '/contact-count',
          { config: { cache: { tags: ['contact:count'] } } },
          async () => {
            t.renders.count = (t.renders.count ?? 0) + 1;
            return { render: t.renders.count };
          },
        );
        fastify.get('/notes/:slug', { config: { cache: true } }, async (request, reply) => {
          const { slug } = request.params as { slug: string };
          t.renders.note = (t.renders.note ?? 0) + 1;
          reply.cacheTags(`notes:note:${slug}`);
          return { slug, render: t.renders.note };
        });
      },
    });
  });
  afterAll(() => t.close());

  it('drops the pages carrying the tags an app invalidates through the core meeting point', async () => {
    await t.client().get('/entries');
    await t.client().get('/tags/news');
    await t.client().get('/tags/other');
    await t.retitle('second', 'Second, published');
    await t.site.services.invalidateTags(['blog:list', 'tagging:tag:news']);
    expect((await t.client().get('/entries')).body).toContain('Second, published');
    expect((await t.client().get('/tags/news')).headers['x-cache']).toBe('MISS');
    expect((await t.client().get('/tags/other')).headers['x-cache']).toBe('HIT');
  });

  it("follows the site's own hook map: a function of the payload, or a fixed list", async () => {
    await t.client().get('/notes/a');
    await t.client().get('/notes/b');
    await t.site.hooks.emit('notes:saved', { slug: 'a' });
    expect((await t.client().get('/notes/a')).headers['x-cache']).toBe('MISS');
    expect((await t.client().get('/notes/b')).headers['x-cache']).toBe('HIT');

    await t.client().get('/contact-count');
    await t.site.hooks.emit('notes:counted', {});
    expect((await t.client().get('/contact-count')).json()).toEqual({ render: 2 });
  });

  it('logs a mapping that throws, and the hook still completes', async () => {
    const errors: string[] = [];
    const original = t.site.log.error;
    t.site.log.error = ((_o: object, m: string) => void errors.push(m)) as typeof original;
    try {
      await t.site.hooks.emit('notes:broken', {});
    } finally {
      t.site.log.error = original;
    }
    expect(errors).toEqual([expect.stringContaining("tags for hook 'notes:broken'")]);
  });

  it('counts invalidations for the metrics endpoint', () => {
    expect(t.app.cache.stats().invalidations).toBeGreaterThanOrEqual(3);
  });
});

describe('memory caches in several processes', () => {
  let a: EntriesSite;
  let b: TestSite;
  beforeAll(async () => {
    const options = {
      backend: 'memory' as const,
      url: REDIS_URL,
      keyPrefix: `${prefix}-broadcast`,
    };
    a = await entriesSite({ cacheOptions: options });
    // The database both processes share (site b, made by the test kit, has one of its own).
    const shared = a.em().getConnection();
    // A second process of the same site: same database, its own memory cache.
    b = await createTestSite({
      apps: [cache(options)],
      routes: {
        async register(fastify) {
          fastify.get(
            '/entries/:slug',
            { config: { cache: { ttl: 60 } } },
            async (request, reply) => {
              const slug = (request.params as { slug: string }).slug;
              const [row] = await shared.execute<{ title: string }[]>(
                'select title from cache_test_entry where slug = ?',
                [slug],
              );
              reply.cacheTags(`blog:entry:${slug}`);
              return { slug, title: row?.title };
            },
          );
        },
      },
    });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  it('an entry saved in one process is fresh in the other on its next request', async () => {
    await b.client().get('/entries/hello');
    expect((await b.client().get('/entries/hello')).headers['x-cache']).toBe('HIT');
    await a.retitle('hello', 'Saved elsewhere');
    await a.site.services.invalidateTags(['blog:entry:hello']);
    await waitFor(
      async () => (await b.client().get('/entries/hello')).json().title === 'Saved elsewhere',
    );
    expect((await b.client().get('/entries/hello')).headers['x-cache']).toBe('HIT');
  });

  it('a value deleted in one process is gone in the other', async () => {
    await b.app.cache.set('shared', 1);
    await a.app.cache.set('shared', 1);
    await a.app.cache.delete('shared');
    await waitFor(async () => (await b.app.cache.get('shared')) === undefined);
  });
});
