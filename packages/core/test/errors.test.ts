import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSite, testServerUrl, type TestSite } from '@tessera/testing';
import { Forbidden, NotFound, wantsJson } from '../src/index.ts';
import { dropDatabase, splitDatabaseUrl } from '../src/internal.ts';
import { SITE_TEMPLATES, notes } from './helpers.ts';

const HTML = { accept: 'text/html' };
const JSON_ACCEPT = { accept: 'application/json' };

/** Routes that fail in each way a handler can. */
function failingRoutes(fastify: FastifyInstance): void {
  fastify.get('/staff', async () => {
    throw new Forbidden('Staff only.');
  });
  fastify.get('/api/staff', { config: { api: true } }, async () => {
    throw new Forbidden('Staff only.');
  });
  fastify.get('/api/gone', { config: { api: true } }, async () => {
    throw new NotFound();
  });
  fastify.get('/boom', async () => {
    throw new Error('kaboom: password=hunter2');
  });
  fastify.get('/api/boom', { config: { api: true } }, async () => {
    throw new Error('kaboom: password=hunter2');
  });
  fastify.get('/db-dies', async (request) => {
    // The server ends this request's connection, as a restart or failover would.
    await request.em.getConnection().execute('select pg_terminate_backend(pg_backend_pid())');
    return { survived: true };
  });
  fastify.post('/echo', { config: { csrf: false } }, async (request) => ({ body: request.body }));
  fastify.post('/guarded', async () => ({ sent: true }));
}

describe('error pages outside debug', () => {
  let t: TestSite;
  beforeAll(async () => {
    t = await createTestSite({ apps: [notes()], routes: { register: failingRoutes } });
  });
  afterAll(() => t.close());

  it('an unknown page is a 404 page for browsers', async () => {
    const res = await t.client().get('/nowhere', { headers: HTML });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('<h1>Not found</h1>');
    expect(res.body).toContain('There is no page at this address.');
  });

  it('an unknown page is a problem body for JSON clients', async () => {
    const res = await t.client().get('/nowhere', { headers: JSON_ACCEPT });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.json()).toEqual({ type: 'about:blank', title: 'Not found', status: 404 });
  });

  it('a 403 renders the forbidden page, or a problem with the reason on an api route', async () => {
    const page = await t.client().get('/staff', { headers: HTML });
    expect(page.statusCode).toBe(403);
    expect(page.body).toContain('You may not see this page.');
    const api = await t.client().get('/api/staff', { headers: HTML });
    expect(api.statusCode).toBe(403);
    expect(api.json()).toEqual({
      type: 'about:blank',
      title: 'Forbidden',
      status: 403,
      detail: 'Staff only.',
      code: 'TESSERA_FORBIDDEN',
    });
  });

  it('a form sent with a stale or missing CSRF token says the form expired, blaming nobody', async () => {
    const c = t.client();
    for (const body of [{ text: 'hi' }, { text: 'hi', _csrf: 'stale' }]) {
      const res = await c.post('/guarded', body, { csrf: false, headers: HTML });
      expect(res.statusCode).toBe(403);
      expect(res.body).toContain('<title>This form has expired');
      expect(res.body).toContain('Go back, reload the page and send the form again.');
      expect(res.body).not.toContain('You may not see this page.');
    }
  });

  it('an error raised without a message has no placeholder detail', async () => {
    const res = await t.client().get('/api/gone');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      type: 'about:blank',
      title: 'Not found',
      status: 404,
      code: 'TESSERA_NOT_FOUND',
    });
  });

  it('a 500 shows neither the message nor the stack trace', async () => {
    const page = await t.client().get('/boom', { headers: HTML });
    expect(page.statusCode).toBe(500);
    expect(page.body).toContain('Something went wrong on our side.');
    expect(page.body).not.toContain('kaboom');
    expect(page.body).not.toContain('hunter2');
    expect(page.body).not.toMatch(/at .*\.ts:\d+/);
    const api = await t.client().get('/api/boom');
    expect(api.statusCode).toBe(500);
    expect(api.json()).toEqual({ type: 'about:blank', title: 'Server error', status: 500 });
  });

  it('a lost database connection answers 503 with retry-after, and the site recovers', async () => {
    const res = await t.client().get('/db-dies', { headers: JSON_ACCEPT });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toEqual({ type: 'about:blank', title: 'Service unavailable', status: 503 });
    // pg may hand the dead connection out once more before it notices the socket closed
    // ("Connection terminated unexpectedly"): that request is a 503 too, then the pool replaces it.
    const statuses: number[] = [];
    for (let i = 0; i < 3 && statuses.at(-1) !== 200; i++) {
      statuses.push((await t.client().get('/notes')).statusCode);
    }
    expect(statuses.at(-1)).toBe(200);
    expect(statuses.slice(0, -1).every((s) => s === 503)).toBe(true);
  });

  it('Fastify’s own errors keep their status: a too-large or unsupported body', async () => {
    const big = await t.client().post('/echo', 'x'.repeat(2 * 1024 * 1024), {
      csrf: false,
      headers: { 'content-type': 'application/json' },
    });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ title: 'Request body too large', status: 413 });
    const odd = await t.client().post('/echo', 'x', {
      csrf: false,
      headers: { 'content-type': 'application/x-odd', accept: 'application/json' },
    });
    expect(odd.statusCode).toBe(415);
    expect(odd.json()).toMatchObject({ title: 'Unsupported media type', status: 415 });
    const teapot = await t.client().post('/echo', '{"a":', {
      csrf: false,
      headers: { 'content-type': 'application/json' },
    });
    expect(teapot.statusCode).toBe(400);
    expect(teapot.json()).toMatchObject({ title: 'Bad request', status: 400 });
  });

  it('regression: a request line with broken percent-encoding gets the site’s 400, not Fastify’s raw JSON', async () => {
    const page = await t.app.inject({ url: '/notes/%E0%A4%A', headers: HTML });
    expect(page.statusCode).toBe(400);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<html');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    const api = await t.app.inject({ url: '/x%', headers: JSON_ACCEPT });
    expect(api.statusCode).toBe(400);
    expect(api.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(api.json()).toMatchObject({ status: 400, code: 'FST_ERR_BAD_URL' });
  });

  it('health and readiness answer, with the security headers, and nobody may store them', async () => {
    expect((await t.client().get('/healthz')).json()).toEqual({ status: 'ok' });
    expect((await t.client().get('/readyz')).json()).toEqual({ status: 'ready' });
    for (const path of ['/healthz', '/readyz']) {
      const res = await t.client().get(path);
      expect(res.headers['cache-control'], path).toBe('no-store');
      expect(res.headers['content-security-policy'], path).toContain("default-src 'self'");
      expect(res.headers['x-frame-options'], path).toBe('DENY');
      expect(res.headers['set-cookie'], path).toBeUndefined();
    }
  });
});

describe('error pages the site overrides, in debug', () => {
  let t: TestSite;
  beforeAll(async () => {
    t = await createTestSite({
      apps: [notes()],
      routes: { register: failingRoutes },
      settings: { templates: SITE_TEMPLATES, debug: true },
    });
  });
  afterAll(() => t.close());

  it('404, 403 and 500 render the site’s own templates', async () => {
    for (const [url, status] of [
      ['/nowhere', 404],
      ['/staff', 403],
      ['/boom', 500],
    ] as const) {
      const res = await t.client().get(url, { headers: HTML });
      expect(res.statusCode).toBe(status);
      expect(res.body).toContain(`<div class="site-error" data-status="${status}">`);
      expect(res.headers['x-tessera-template']).toBe(`errors/${status}.njk`);
    }
  });

  it('debug shows the stack trace of a 500, on the page and in the problem body', async () => {
    const page = await t.client().get('/boom', { headers: HTML });
    expect(page.body).toMatch(/<pre class="trace">Error: kaboom: password=hunter2\s+at /);
    const api = await t.client().get('/api/boom');
    expect(api.json().detail).toMatch(/^Error: kaboom: password=hunter2\n\s+at /);
  });
});

describe('an error page that cannot render', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-broken-'));
  mkdirSync(join(dir, 'errors'));
  writeFileSync(join(dir, 'errors', '404.njk'), '{% if %}');
  let t: TestSite;
  beforeAll(async () => {
    t = await createTestSite({ apps: [], settings: { templates: dir } });
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('falls back to a plain-text answer', async () => {
    const res = await t.client().get('/nowhere', { headers: HTML });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.body).toBe('404 Not found');
  });
});

describe('a site whose database is gone', () => {
  it('is not ready', async () => {
    const t = await createTestSite({ apps: [] });
    try {
      await dropDatabase(testServerUrl(), splitDatabaseUrl(t.databaseUrl).database);
      const res = await t.client().get('/readyz');
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({
        status: 'unavailable',
        detail: 'The database does not answer.',
      });
    } finally {
      await t.close();
    }
  });
});

describe('what refusals log', () => {
  it('regression: a 404 without a message logs its title, not the format string "%s"', async () => {
    const logged: string[] = [];
    const t = await createTestSite({
      apps: [],
      routes: {
        register(fastify) {
          fastify.addHook('onRequest', async function spyOnLog(request) {
            request.log = Object.assign(Object.create(request.log), {
              info: (_obj: unknown, msg: string) => void logged.push(msg),
            });
          });
          failingRoutes(fastify);
        },
      },
    });
    try {
      expect((await t.client().get('/api/gone')).statusCode).toBe(404);
    } finally {
      await t.close();
    }
    expect(logged).toEqual(['Not found']);
  });
});

describe('slow clients', () => {
  it('regression: headers sent a little at a time no longer hold a socket for Node’s 60 s', async () => {
    const t = await createTestSite({
      apps: [],
      settings: { timeouts: { headers: 300, request: 1000 } },
    });
    try {
      expect(t.app.server.headersTimeout).toBe(300);
      expect(t.app.server.requestTimeout).toBe(1000);
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = t.app.server.address() as { port: number };
      const answer = await new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        let got = '';
        socket.on('data', (d) => (got += d.toString()));
        socket.on('close', () => resolve(got));
        socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
        // One more header line now and then, never the blank line that ends them.
        const drip = setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 100);
        socket.on('close', () => clearInterval(drip));
      });
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      await t.close();
    }
  });
});

describe('wantsJson', () => {
  const req = (headers: Record<string, string>, api?: boolean) =>
    ({ headers, routeOptions: { config: { api } } }) as never;

  it('answers JSON for api routes and JSON clients, HTML for browsers', () => {
    expect(wantsJson(req({}, true))).toBe(true);
    expect(wantsJson(req({ accept: 'application/json' }))).toBe(true);
    expect(wantsJson(req({ 'content-type': 'application/json' }))).toBe(true);
    expect(wantsJson(req({ accept: 'text/html,application/json' }))).toBe(false);
    expect(wantsJson(req({}))).toBe(false);
  });
});
