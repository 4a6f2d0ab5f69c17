import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSite, type TestSite } from '@tessera/testing';
import { DEFAULT_HOOK_TAGS, blogEntryTags, cache, tagsChangedTags } from '../src/index.ts';
import {
  REDIS_URL,
  dropKeys,
  entriesSite,
  uniquePrefix,
  waitFor,
  type EntriesSite,
} from './helpers.ts';

// The payloads the blog and tagging apps will fire, as the cache reads them.
declare module '@tessera/core' {
  interface HookPayloads {
    'blog:entry-published': { entry: { slug: string; tags?: (string | { slug: string })[] } };
    'blog:entry-deleted': { entry: { slug: string; tags?: string[] } };
    'tagging:tags-changed': { added?: string[]; removed?: { slug: string }[] };
  }
}

const prefix = uniquePrefix('invalidation');
afterAll(() => dropKeys(prefix));

describe('the default hook → tag map', () => {
  it('maps an entry hook to the list, the feeds, the entry page and its tag pages, old and new', () => {
    expect(
      blogEntryTags({
        entry: { slug: 'new-slug', tags: ['a', { slug: 'b' }] },
        previous: { slug: 'old-slug', tags: [{ slug: 'c' }] },
      }),
    ).toEqual([
      'blog:list',
      'blog:feeds',
      'blog:entry:new-slug',
      'blog:entry:old-slug',
      'tagging:tag:a',
      'tagging:tag:b',
      'tagging:tag:c',
    ]);
    expect(blogEntryTags({ slug: 'flat', tags: ['x'] })).toEqual([
      'blog:list',
      'blog:feeds',
      'blog:entry:flat',
      'tagging:tag:x',
    ]);
    expect(blogEntryTags(undefined)).toEqual(['blog:list', 'blog:feeds']);
  });

  it('maps a tag change to those tag pages and the tag cloud', () => {
    expect(tagsChangedTags({ added: ['a'], removed: [{ slug: 'b' }], tags: 'not a list' })).toEqual(
      ['tagging:cloud', 'tagging:tag:a', 'tagging:tag:b'],
    );
    expect(Object.keys(DEFAULT_HOOK_TAGS)).toEqual([
      'blog:entry-saved',
      'blog:entry-published',
      'blog:entry-deleted',
      'tagging:tags-changed',
    ]);
  });
});

describe.each(['memory', 'redis'] as const)(
  'invalidation wired to hooks on the %s backend',
  (backend) => {
    let t: EntriesSite;
    beforeAll(async () => {
      t = await entriesSite({
        cacheOptions: {
          backend,
          keyPrefix: `${prefix}-${backend}`,
          ...(backend === 'redis' ? { url: REDIS_URL } : {}),
          hookTags: {
            'contact-form:sent': ['contact:count'],
            'blog:entry-deleted': false,
            'site:broken': () => {
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
        },
      });
    });
    afterAll(() => t.close());

    it('publishing an entry refreshes the list and the pages of its tags', async () => {
      await t.client().get('/entries');
      await t.client().get('/tags/news');
      await t.client().get('/tags/other');
      await t.retitle('second', 'Second, published');
      await t.site.hooks.emit('blog:entry-published', {
        entry: { slug: 'second', tags: [{ slug: 'news' }] },
      });
      expect((await t.client().get('/entries')).body).toContain('Second, published');
      expect((await t.client().get('/tags/news')).headers['x-cache']).toBe('MISS');
      expect((await t.client().get('/tags/other')).headers['x-cache']).toBe('HIT');
    });

    it('changing tags refreshes those tag pages', async () => {
      await t.client().get('/tags/news');
      await t.client().get('/tags/old');
      await t.site.hooks.emit('tagging:tags-changed', {
        added: ['news'],
        removed: [{ slug: 'old' }],
      });
      expect((await t.client().get('/tags/news')).headers['x-cache']).toBe('MISS');
      expect((await t.client().get('/tags/old')).headers['x-cache']).toBe('MISS');
    });

    it("follows the site's own hook map: added hooks, and defaults switched off", async () => {
      await t.client().get('/contact-count');
      await t.site.hooks.emit('contact-form:sent', { message: { id: 1 } });
      expect((await t.client().get('/contact-count')).json()).toEqual({ render: 2 });

      await t.client().get('/entries');
      await t.site.hooks.emit('blog:entry-deleted', { entry: { slug: 'hello' } });
      expect((await t.client().get('/entries')).headers['x-cache']).toBe('HIT');
    });

    it('logs a mapping that throws, and the hook still completes', async () => {
      const errors: string[] = [];
      const original = t.site.log.error;
      t.site.log.error = ((_o: object, m: string) => void errors.push(m)) as typeof original;
      try {
        await t.site.hooks.emit('site:broken', {});
      } finally {
        t.site.log.error = original;
      }
      expect(errors).toEqual([expect.stringContaining("tags for hook 'site:broken'")]);
    });

    it('counts invalidations for the metrics endpoint', () => {
      expect(t.app.cache.stats().invalidations).toBeGreaterThanOrEqual(3);
    });
  },
);

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
    await a.site.hooks.emit('blog:entry-saved', { entry: { slug: 'hello' } });
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
