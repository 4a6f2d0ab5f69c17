// Body and rate limits on every route of the site, with clear 413 and 429 answers; and the
// limits the HTTP server itself keeps (header size, a body larger than it claims) on a real socket.
import { connect } from 'node:net';
import type { TestSite } from '@tessera/testing';
import type { Response } from 'light-my-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNSAFE, Visitor, hardeningSite, isAsset, seed, targets, type Samples } from './helpers.ts';

/** The site's body limit (its settings keep the default). */
const BODY_LIMIT = 1024 * 1024;
/** A small rate limit, so every route can be taken past it. */
const RATE = { max: 3, timeWindow: '1 minute' };
/** Probes and the metrics scraper: exempt from the per-address limit by design. */
const EXEMPT = new Set(['/healthz', '/readyz', '/metrics']);

function problem(res: Response): { status?: number; title?: string; detail?: string } {
  return res.json() as { status?: number; title?: string; detail?: string };
}

/** Sends raw bytes to `port` and answers the first line of what comes back (or how it ended). */
function raw(port: number, request: string | Buffer, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(`no answer in ${timeoutMs} ms`);
    }, timeoutMs);
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      if (data.includes('\r\n')) {
        clearTimeout(timer);
        socket.destroy();
        resolve(data.split('\r\n')[0]!);
      }
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      resolve(`error ${(err as NodeJS.ErrnoException).code}`);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(data.split('\r\n')[0] || 'closed');
    });
    socket.write(request);
  });
}

describe('body limits', () => {
  let t: TestSite;
  let s: Samples;
  beforeAll(async () => {
    t = await hardeningSite({ settings: { rateLimit: false } });
    s = await seed(t);
  });
  afterAll(() => t.close());

  it('no route raises its own body limit over the site’s', () => {
    const raised = t.site.routes
      .endpoints()
      .filter((e) => e.bodyLimit !== undefined && e.bodyLimit > t.site.settings.bodyLimit)
      .map((e) => `${e.method} ${e.path}: ${e.bodyLimit}`);
    expect(raised).toEqual([]);
    expect(t.site.settings.bodyLimit).toBe(BODY_LIMIT);
  });

  it('every route that takes a body answers 413 past the limit, as a form or as JSON, and stores nothing', async () => {
    const unsafe = targets(t, s).filter((x) => UNSAFE.has(x.method));
    expect(unsafe.length).toBeGreaterThanOrEqual(15);
    const v = new Visitor(t.app, '10.71.0.1');
    const big = 'x'.repeat(BODY_LIMIT + 1);
    let n = 0;
    for (const x of unsafe) {
      for (const [type, payload, accept] of [
        ['application/x-www-form-urlencoded', `message=${big}`, 'text/html'],
        ['application/json', JSON.stringify({ message: big }), 'application/json'],
        ['text/plain', big, 'application/json'],
      ] as const) {
        const res = await v.send({
          method: x.method,
          url: x.url,
          headers: { 'content-type': type, accept },
          payload,
          token: true,
          // An address per request: the apps' own per-address limits must not answer first.
          ip: `10.71.1.${++n}`,
        });
        expect(res.statusCode, `${x.method} ${x.url} ${type}`).toBe(413);
        if (accept === 'application/json' || x.config.api) {
          expect(problem(res)).toMatchObject({ status: 413, title: 'Request body too large' });
        } else {
          expect(res.headers['content-type']).toMatch(/^text\/html/);
          expect(res.body).toContain('Request body too large');
        }
      }
    }
    const [row] = await t
      .em()
      .getConnection()
      .execute<{ n: number }[]>('select count(*)::int as n from contact_form_message');
    expect(row!.n).toBe(0);
  }, 60_000);

  it('a body just under the limit is read (and judged on its content)', async () => {
    const v = new Visitor(t.app, '10.71.0.2');
    const res = await v.send({
      method: 'POST',
      url: '/contact/api',
      json: {
        name: 'A',
        email: 'a@example.com',
        message: 'x'.repeat(BODY_LIMIT - 200),
        topic: 'general',
      },
      token: true,
    });
    expect(res.statusCode).toBe(422);
    expect(problem(res).detail).toMatch(/errors/);
  });
});

describe('rate limits', () => {
  let t: TestSite;
  let s: Samples;
  beforeAll(async () => {
    t = await hardeningSite({ settings: { rateLimit: RATE } });
    s = await seed(t);
  });
  afterAll(() => t.close());

  it(`every route, and an address that matches none, answers 429 past ${RATE.max} requests a minute from one address`, async () => {
    const all = [
      ...targets(t, s).filter((x) => !EXEMPT.has(x.route)),
      { method: 'GET', url: '/no/such/page', route: '(not found)', config: {} },
      { method: 'POST', url: '/no/such/form', route: '(not found)', config: {} },
    ];
    const unlimited: string[] = [];
    for (const [i, x] of all.entries()) {
      // Each route from an address of its own: the count is per address.
      const v = new Visitor(t.app, `10.72.${Math.floor(i / 250)}.${i % 250}`);
      const codes: number[] = [];
      let last: Response | undefined;
      for (let n = 0; n <= RATE.max; n++) {
        last = await v.send({
          method: x.method,
          url: x.url,
          headers: { accept: 'application/json' },
        });
        codes.push(last.statusCode);
      }
      if (last!.statusCode !== 429) unlimited.push(`${x.method} ${x.url}: ${codes.join(', ')}`);
      else {
        expect(last!.headers['retry-after'], x.url).toBeDefined();
        const body = problem(last!) as { detail?: string; message?: string };
        // The API browser's own routes answer in @fastify/swagger's shape; the site's, as problems.
        if (!isAsset(x.url))
          expect(body, x.url).toMatchObject({ status: 429, title: 'Too many requests' });
        expect(body.detail ?? body.message, x.url).toMatch(
          /Too many requests: the limit is 3 per 1 minute\. Try again in/,
        );
      }
    }
    expect(unlimited).toEqual([]);
  }, 60_000);

  it('a browser past the limit gets a page saying so', async () => {
    const v = new Visitor(t.app, '10.73.0.1');
    for (let n = 0; n < RATE.max; n++) await v.send({ method: 'GET', url: '/blog' });
    const res = await v.send({ method: 'GET', url: '/blog', headers: { accept: 'text/html' } });
    expect(res.statusCode).toBe(429);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('Too many requests');
  });

  it('probes and metrics stay reachable for the orchestrator, however often they ask', async () => {
    const v = new Visitor(t.app, '127.0.0.1');
    for (let n = 0; n < RATE.max * 3; n++)
      for (const url of EXEMPT)
        expect((await v.send({ method: 'GET', url })).statusCode, url).toBe(200);
  });

  it('other addresses are not held back by one that is', async () => {
    const noisy = new Visitor(t.app, '10.74.0.1');
    for (let n = 0; n <= RATE.max; n++) await noisy.send({ method: 'GET', url: '/' });
    expect((await noisy.send({ method: 'GET', url: '/' })).statusCode).toBe(429);
    expect(
      (await new Visitor(t.app, '10.74.0.2').send({ method: 'GET', url: '/' })).statusCode,
    ).toBe(200);
  });
});

describe('limits of the HTTP server, on a real socket', () => {
  let t: TestSite;
  let port: number;
  beforeAll(async () => {
    t = await hardeningSite({ settings: { rateLimit: false } });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as { port: number }).port;
  });
  afterAll(() => t.close());

  it('a body announced larger than the limit is refused with 413 before it is sent', async () => {
    const line = await raw(
      port,
      `POST /contact/api HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${BODY_LIMIT * 100}\r\n\r\n{"a":`,
    );
    expect(line).toBe('HTTP/1.1 413 Payload Too Large');
  });

  it('a chunked body that grows past the limit is cut off with 413', async () => {
    const chunk = 'x'.repeat(64 * 1024);
    const chunks = Array.from(
      { length: 20 },
      () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`,
    ).join('');
    const line = await raw(
      port,
      `POST /contact/api HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${chunks}0\r\n\r\n`,
    );
    expect(line).toBe('HTTP/1.1 413 Payload Too Large');
  });

  it('headers larger than the server keeps are refused with 431', async () => {
    const line = await raw(
      port,
      `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`,
    );
    expect(line).toBe('HTTP/1.1 431 Request Header Fields Too Large');
  });

  it('a request that is not HTTP gets a 400 and the server goes on serving', async () => {
    expect(await raw(port, 'HELLO THERE\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
    expect(await raw(port, Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00]))).toBe(
      'HTTP/1.1 400 Bad Request',
    );
    expect(await raw(port, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n')).toBe(
      'HTTP/1.1 200 OK',
    );
  });
});
