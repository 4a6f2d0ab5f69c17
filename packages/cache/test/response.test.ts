import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestSite } from '@tessera/testing';
import { cache } from '../src/index.ts';
import {
  REDIS_URL,
  dropKeys,
  entriesSite,
  gate,
  uniquePrefix,
  type EntriesSite,
} from './helpers.ts';

const prefix = uniquePrefix('response');

afterAll(() => dropKeys(prefix));
afterEach(() => {
  vi.useRealTimers();
});

describe.each(['memory', 'redis'] as const)('the response cache on the %s backend', (backend) => {
  let t: EntriesSite;
  let slow = gate<string>();

  beforeAll(async () => {
    t = await entriesSite({
      cacheOptions: {
        backend,
        keyPrefix: `${prefix}-${backend}`,
        ...(backend === 'redis' ? { url: REDIS_URL } : {}),
      },
      register(fastify: FastifyInstance) {
        fastify.get('/slow', { config: { cache: { ttl: 60 } } }, async () => {
          t.renders.slow = (t.renders.slow ?? 0) + 1;
          return { value: await slow.promise };
        });
        fastify.get('/cookie', { config: { cache: true } }, async (_request, reply) => {
          t.renders.cookie = (t.renders.cookie ?? 0) + 1;
          reply.setCookie('seen', '1');
          return { ok: true };
        });
        fastify.get('/form', { config: { cache: true } }, async (_request, reply) => {
          t.renders.form = (t.renders.form ?? 0) + 1;
          return reply
            .type('text/html')
            .send(`<input name="_csrf" value="${reply.generateCsrf()}">`);
        });
        fastify.get('/private', { config: { cache: true } }, async (_request, reply) => {
          t.renders.private = (t.renders.private ?? 0) + 1;
          reply.header('cache-control', 'private, max-age=0');
          return { ok: true };
        });
        fastify.get(
          '/greeting',
          { config: { cache: { vary: ['Accept-Language'], maxAge: 30 } } },
          async (request) => {
            t.renders.greeting = (t.renders.greeting ?? 0) + 1;
            return { hello: request.headers['accept-language'] === 'fr' ? 'bonjour' : 'hello' };
          },
        );
        fastify.get('/vary-star', { config: { cache: true } }, async (_request, reply) => {
          t.renders.star = (t.renders.star ?? 0) + 1;
          reply.header('vary', '*');
          return { ok: true };
        });
        fastify.get(
          '/feed',
          { config: { cache: { ttl: 10, staleWhileRevalidate: 60, tags: ['blog:feeds'] } } },
          async () => {
            t.renders.feed = (t.renders.feed ?? 0) + 1;
            return { edition: t.renders.feed };
          },
        );
        fastify.get<{ Params: { id: string } }>(
          '/items/:id',
          {
            config: {
              cache: { tags: (request) => [`item:${(request.params as { id: string }).id}`] },
            },
          },
          async (request) => {
            t.renders.item = (t.renders.item ?? 0) + 1;
            return { id: request.params.id, render: t.renders.item };
          },
        );
        fastify.get('/logo', { config: { cache: true } }, async (_request, reply) => {
          t.renders.logo = (t.renders.logo ?? 0) + 1;
          return reply.type('image/png').send(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 255]));
        });
        fastify.get('/not-cached', async () => ({ fresh: true }));
      },
    });
  });
  afterAll(() => t.close());

  it('computes a page once, then serves it from the cache', async () => {
    const c = t.client();
    const first = await c.get('/entries');
    expect(first.statusCode).toBe(200);
    expect(first.headers['x-cache']).toBe('MISS');
    expect(first.body).toContain('<li>Hello</li>');
    const second = await c.get('/entries');
    expect(second.headers['x-cache']).toBe('HIT');
    expect(second.body).toBe(first.body);
    expect(second.headers['content-type']).toBe(first.headers['content-type']);
    expect(second.headers['cache-control']).toBe('public, no-cache');
    expect(second.headers['x-request-id']).toBeDefined();
    expect(second.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
    expect(t.renders.entries).toBe(1);
    expect(t.app.cache.stats()).toMatchObject({ backend, available: true });
  });

  it('computes the page again once its ttl has passed', async () => {
    await t.client().get('/entries/second');
    expect((await t.client().get('/entries/second')).headers['x-cache']).toBe('HIT');
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 61_000);
    const later = await t.client().get('/entries/second');
    expect(later.headers['x-cache']).toBe('MISS');
    expect(later.json()).toEqual({ slug: 'second', title: 'Second' });
  });

  it('answers 304 to a request that names the current ETag, cached or not', async () => {
    const first = await t.client().get('/entries/hello');
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const hit = await t.client().get('/entries/hello', { headers: { 'if-none-match': etag } });
    expect(hit.statusCode).toBe(304);
    expect(hit.body).toBe('');
    expect(hit.headers['x-cache']).toBe('HIT');
    expect(hit.headers.etag).toBe(etag);
    const weak = await t
      .client()
      .get('/entries/hello', { headers: { 'if-none-match': `"other", W/${etag}` } });
    expect(weak.statusCode).toBe(304);
    const other = await t
      .client()
      .get('/entries/hello', { headers: { 'if-none-match': '"other"' } });
    expect(other.statusCode).toBe(200);

    const plain = await t.client().get('/not-cached');
    expect(plain.headers['x-cache']).toBeUndefined();
    const again = await t
      .client()
      .get('/not-cached', { headers: { 'if-none-match': plain.headers.etag as string } });
    expect(again.statusCode).toBe(304);
    expect(again.headers['content-type']).toBeUndefined();
  });

  it('answers HEAD from the stored GET page', async () => {
    const renders = t.renders.entry;
    await t.client().get('/entries/hello');
    const head = await t.app.inject({ method: 'HEAD', url: '/entries/hello' });
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['x-cache']).toBe('HIT');
    expect(t.renders.entry).toBe(renders);
  });

  it('shows a saved entry on the next request: its page and the list are invalidated by tag', async () => {
    await t.client().get('/entries');
    await t.client().get('/entries/hello');
    await t.client().get('/entries/second');
    await t.retitle('hello', 'Hello, again');
    // What the blog invalidates after saving an entry (it names its own tags).
    await t.site.services.invalidateTags(['blog:list', 'blog:entry:hello', 'tagging:tag:news']);
    const list = await t.client().get('/entries');
    expect(list.headers['x-cache']).toBe('MISS');
    expect(list.body).toContain('<li>Hello, again</li>');
    const entry = await t.client().get('/entries/hello');
    expect(entry.json()).toEqual({ slug: 'hello', title: 'Hello, again' });
    expect((await t.client().get('/entries/second')).headers['x-cache']).toBe('HIT');
    await t.retitle('hello', 'Hello');
    await t.site.services.invalidateTags(['blog:entry:hello', 'blog:list']);
    expect((await t.client().get('/entries/hello')).json()).toEqual({
      slug: 'hello',
      title: 'Hello',
    });
  });

  it('runs the handler once for a hundred concurrent misses of one page', async () => {
    const before = t.app.cache.stats().coalesced;
    const requests = Array.from({ length: 100 }, () =>
      t.app.inject({ method: 'GET', url: '/slow' }),
    );
    await vi.waitFor(() => expect(t.app.cache.stats().coalesced - before).toBe(99), {
      timeout: 20_000,
    });
    slow.open('computed once');
    const responses = await Promise.all(requests);
    expect(responses.every((r) => r.statusCode === 200 && r.json().value === 'computed once')).toBe(
      true,
    );
    expect(t.renders.slow).toBe(1);
    expect(responses.filter((r) => r.headers['x-cache'] === 'MISS')).toHaveLength(1);
    slow = gate();
  });

  it('never stores a page for a signed-in visitor, nor serves one to them', async () => {
    await t.client().get('/entries');
    const renders = t.renders.entries!;
    const member = t.client();
    await member.post('/test-login', {});
    const page = await member.get('/entries');
    expect(page.headers['x-cache']).toBeUndefined();
    expect(page.headers['cache-control']).toBe('private, no-cache');
    expect(t.renders.entries).toBe(renders + 1);
    await member.get('/entries');
    expect(t.renders.entries).toBe(renders + 2);
    expect((await t.client().get('/entries')).headers['x-cache']).toBe('HIT');
    const token = await t.app.inject({
      method: 'GET',
      url: '/entries',
      headers: { authorization: 'Bearer x' },
    });
    expect(token.headers['x-cache']).toBeUndefined();
  });

  it('serves an anonymous visitor with a session from the cache', async () => {
    await t.client().get('/entries');
    const visitor = t.client();
    await visitor.csrfToken();
    expect(visitor.cookies.size).toBe(1);
    expect((await visitor.get('/entries')).headers['x-cache']).toBe('HIT');
  });

  it('never stores a response that sets a cookie', async () => {
    const c = t.client();
    await c.get('/cookie');
    const again = await t.client().get('/cookie');
    expect(again.headers['set-cookie']).toBeDefined();
    expect(t.renders.cookie).toBe(2);
    expect(again.headers['x-cache']).toBeUndefined();
    expect(again.headers['cache-control']).toBe('private, no-cache');
  });

  it('never stores a page carrying a CSRF token, even for a visitor whose session already exists', async () => {
    const visitor = t.client();
    await visitor.csrfToken();
    const first = await visitor.get('/form');
    const second = await visitor.get('/form');
    expect(first.headers['set-cookie']).toBeUndefined();
    expect(t.renders.form).toBe(2);
    expect(second.headers['cache-control']).toBe('private, no-cache');
  });

  it('never stores an error page or a page the handler marked private', async () => {
    await t.client().get('/entries/missing');
    const again = await t.client().get('/entries/missing');
    expect(again.statusCode).toBe(404);
    expect(again.headers['x-cache']).toBe('MISS');
    const renders = t.renders.entry;
    await t.client().get('/entries/missing');
    expect(t.renders.entry).toBe(renders! + 1);

    await t.client().get('/private');
    const priv = await t.client().get('/private');
    expect(priv.headers['cache-control']).toBe('private, max-age=0');
    expect(t.renders.private).toBe(2);

    await t.client().get('/vary-star');
    await t.client().get('/vary-star');
    expect(t.renders.star).toBe(2);
  });

  it('stores one page per value of the headers it varies on', async () => {
    const en = await t.client().get('/greeting', { headers: { 'accept-language': 'en' } });
    const fr = await t.client().get('/greeting', { headers: { 'accept-language': 'fr' } });
    expect(en.json()).toEqual({ hello: 'hello' });
    expect(fr.json()).toEqual({ hello: 'bonjour' });
    expect(fr.headers['x-cache']).toBe('MISS');
    const frAgain = await t.client().get('/greeting', { headers: { 'accept-language': 'fr' } });
    expect(frAgain.headers['x-cache']).toBe('HIT');
    expect(frAgain.json()).toEqual({ hello: 'bonjour' });
    expect(frAgain.headers.vary).toBe('accept-language');
    expect(frAgain.headers['cache-control']).toBe('public, max-age=30');
    expect(t.renders.greeting).toBe(2);
  });

  it('serves a stale page at once while one request refreshes it', async () => {
    expect((await t.client().get('/feed')).json()).toEqual({ edition: 1 });
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 15_000);
    const stale = await t.client().get('/feed');
    expect(stale.headers['x-cache']).toBe('STALE');
    expect(stale.json()).toEqual({ edition: 1 });
    await t.app.cache.drain();
    expect(t.renders.feed).toBe(2);
    const fresh = await t.client().get('/feed');
    expect(fresh.headers['x-cache']).toBe('HIT');
    expect(fresh.json()).toEqual({ edition: 2 });
  });

  it('tags a page by a function of its request', async () => {
    await t.client().get('/items/1');
    await t.client().get('/items/2');
    await t.app.cache.invalidateTags(['item:1']);
    expect((await t.client().get('/items/1')).headers['x-cache']).toBe('MISS');
    expect((await t.client().get('/items/2')).headers['x-cache']).toBe('HIT');
  });

  it('stores a binary body byte for byte', async () => {
    const first = await t.client().get('/logo');
    const second = await t.client().get('/logo');
    expect(second.headers['x-cache']).toBe('HIT');
    expect(second.rawPayload.equals(first.rawPayload)).toBe(true);
    expect(first.headers.etag).toBeUndefined();
  });
});

describe('two processes sharing a Redis', () => {
  it('run the handler once for a hundred concurrent misses of one page split between them', async () => {
    const release = gate<string>();
    let renders = 0;
    const site = () =>
      createTestSite({
        apps: [cache({ backend: 'redis', url: REDIS_URL, keyPrefix: `${prefix}-two` })],
        routes: {
          register(fastify) {
            fastify.get('/hot', { config: { cache: { ttl: 60 } } }, async () => {
              renders += 1;
              return { value: await release.promise };
            });
          },
        },
      });
    const [a, b] = await Promise.all([site(), site()]);
    try {
      const requests = Array.from({ length: 100 }, (_, i) =>
        (i % 2 ? a : b).app.inject({ method: 'GET', url: '/hot' }),
      );
      await vi.waitFor(
        () => expect(a.app.cache.stats().coalesced + b.app.cache.stats().coalesced).toBe(99),
        { timeout: 20_000 },
      );
      release.open('once');
      const responses = await Promise.all(requests);
      expect(responses.every((r) => r.statusCode === 200 && r.json().value === 'once')).toBe(true);
      expect(renders).toBe(1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
