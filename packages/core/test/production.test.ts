import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSite, type TestSite } from '@tessera/testing';
import { createNotesSite } from './helpers.ts';

function fromLoopback(app: FastifyInstance, url: string, headers: Record<string, string> = {}) {
  return app.inject({ method: 'GET', url, headers, remoteAddress: '127.0.0.1' });
}

describe('what every site gets for production', () => {
  let t: TestSite;
  beforeAll(async () => {
    t = await createNotesSite({ settings: { rateLimit: { max: 12, timeWindow: '1 minute' } } });
    t.site.services.stats.set('notes', () => ({ created: 7 }));
  });
  afterAll(() => t.close());

  it('sends security headers: a CSP without inline script or style, no framing, no sniffing', async () => {
    const res = await t.client().get('/notes/');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toMatch(/style-src[^;]*unsafe-inline/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });

  it('serves metrics by route name to loopback clients only, with counters apps publish', async () => {
    const res = await fromLoopback(t.app, '/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('tessera_http_request_duration_seconds');
    expect(res.body).toMatch(/route="notes:list"|route="notes:/);
    expect(res.body).toContain('tessera_app_counter{app="notes",counter="created"} 7');
    expect(res.body).toContain('tessera_db_pool_connections');
    const outside = await t.app.inject({
      method: 'GET',
      url: '/metrics',
      remoteAddress: '203.0.113.9',
    });
    expect(outside.statusCode).toBe(404);
  });

  it('regression: /metrics was public behind the front server — a forwarded request is never local', async () => {
    // Behind nginx every request comes from 127.0.0.1; the client's address is in the header.
    const proxied = await fromLoopback(t.app, '/metrics', { 'x-forwarded-for': '203.0.113.9' });
    expect(proxied.statusCode).toBe(404);
    const forwarded = await fromLoopback(t.app, '/metrics', { forwarded: 'for=203.0.113.9' });
    expect(forwarded.statusCode).toBe(404);
    // A forwarder lying that the client is local is not believed either.
    const spoofed = await fromLoopback(t.app, '/metrics', { 'x-forwarded-for': '127.0.0.1' });
    expect(spoofed.statusCode).toBe(404);
  });

  it('describes tagged JSON routes in OpenAPI at /api/docs', async () => {
    const spec = await fromLoopback(t.app, '/api/docs/json');
    expect(spec.statusCode).toBe(200);
    expect(spec.json().openapi).toMatch(/^3\./);
    const page = await fromLoopback(t.app, '/api/docs/');
    expect(page.statusCode).toBe(200);
  });

  it('refuses a client past the rate limit with a clear 429 and tells it when to come back', async () => {
    const c = t.client();
    const codes: number[] = [];
    for (let i = 0; i < 7; i++)
      codes.push(
        (await c.get('/healthz')).statusCode,
        (await c.get('/notes/', { headers: { 'x-forwarded-for': 'x' } })).statusCode,
      );
    const limited = await c.get('/notes/', { headers: { accept: 'application/json' } });
    expect(codes.filter((s) => s === 200).length).toBeGreaterThanOrEqual(5);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
    expect(limited.json().detail ?? limited.json().message).toMatch(/Too many requests/);
  });
});

describe('production switches', () => {
  it('sends HSTS when cookies are secure, metrics with a token, and no limits when switched off', async () => {
    const t = await createTestSite({
      apps: [],
      settings: {
        session: { cookieName: 's', secure: true, maxAgeSeconds: 60 },
        rateLimit: false,
        metrics: { enabled: true, path: '/metrics', token: 'sesame-sixteen-chars' },
        openapi: { enabled: false, path: '/api/docs' },
      },
    });
    try {
      const res = await t.client().get('/healthz');
      expect(res.headers['strict-transport-security']).toContain('max-age=31536000');
      expect((await fromLoopback(t.app, '/metrics')).statusCode).toBe(404);
      expect(
        (await fromLoopback(t.app, '/metrics', { authorization: 'Bearer sesame-sixteen-chars' }))
          .statusCode,
      ).toBe(200);
      expect((await fromLoopback(t.app, '/api/docs/json')).statusCode).toBe(404);
      for (let i = 0; i < 30; i++) expect((await t.client().get('/healthz')).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });
});

describe('the site-wide rate limit across processes', () => {
  it('regression: with rateLimit.redis, two processes of a site count one client together', async () => {
    const siteName = `limits-${Date.now()}-${Math.random().toString(16).slice(2)}`;
    const settings = {
      siteName,
      rateLimit: { max: 4, timeWindow: '1 minute', redis: 'redis://127.0.0.1:6379' },
    };
    const a = await createTestSite({ apps: [], settings });
    const b = await createTestSite({ apps: [], settings });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 3; i++) {
        codes.push((await fromLoopback(a.app, '/csrf-token')).statusCode);
        codes.push((await fromLoopback(b.app, '/csrf-token')).statusCode);
      }
      // Counted per process, each would have let all three through.
      expect(codes).toEqual([200, 200, 200, 200, 429, 429]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
