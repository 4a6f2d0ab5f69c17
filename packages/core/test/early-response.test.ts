import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSite } from '@tessera/testing';
import { defineApp } from '../src/index.ts';
import { createNotesSite, notes, pins } from './helpers.ts';

/** What the request looked like when the early responder saw it. */
let seen: { em: unknown; session: unknown; user: unknown } | undefined;

/** An app that answers `/early/...` requests itself, before the per-request set-up. */
const earlyApp = defineApp({
  name: 'early',
  setup(_fastify, { site }) {
    site.respondEarly(async function answerEarly(request, reply) {
      if (!request.url.startsWith('/early')) return undefined;
      seen = { em: request.em, session: request.session, user: request.user };
      if (request.url === '/early/pass') return undefined;
      return reply.type('text/plain').send('answered early');
    });
  },
  routes(fastify) {
    fastify.get('/pass', async (request) => ({ hasEm: request.em !== null }));
    // A route's own helmet options still apply (the plugin handles them, not the shared headers).
    fastify.get('/framed', { helmet: { frameguard: { action: 'sameorigin' } } }, async () => 'x');
    fastify.get('/bare', { helmet: false }, async () => 'x');
  },
});

let t: TestSite;
beforeAll(async () => {
  t = await createNotesSite({ apps: [notes(), pins(), earlyApp()] });
});
afterAll(() => t.close());

describe('site.respondEarly', () => {
  it('answers before the session, the user and the request’s EntityManager are set up', async () => {
    const res = await t.client().get('/early/page');
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('answered early');
    expect(seen).toEqual({ em: null, session: null, user: null });
    // After the security headers and with the request id, like every answer.
    expect(res.headers['x-request-id']).toBeTruthy();
    expect(String(res.headers['content-security-policy'])).toContain("default-src 'self'");
  });

  it('lets a request it does not answer go on through the whole set-up', async () => {
    const res = await t.client().get('/early/pass');
    expect(res.json()).toEqual({ hasEm: true });
    expect(seen?.em).toBeNull();
  });
});

describe('security headers', () => {
  it('are the same on every route, and a route’s own helmet options still win', async () => {
    const plain = await t.client().get('/notes/');
    expect(plain.headers['x-frame-options']).toBe('DENY');
    const framed = await t.client().get('/early/framed');
    expect(framed.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(String(framed.headers['content-security-policy'])).toContain("default-src 'self'");
    const bare = await t.client().get('/early/bare');
    expect(bare.headers['x-frame-options']).toBeUndefined();
    expect(bare.headers['content-security-policy']).toBeUndefined();
  });
});
