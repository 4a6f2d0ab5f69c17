import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SECRET_KEY, expectCountChange, type TestSite } from '@tessera/testing';
import { createSite, defineSettings, isPersonal } from '../src/index.ts';
import { PostgresSessionStore } from '../src/db/session-store.ts';
import { Note } from './fixtures/notes/index.ts';
import { createNotesSite, csrfFrom, notes, pins } from './helpers.ts';

/** The session row of a cookie value (`s:<sid>.<signature>`). */
function sidOf(cookie: string): string {
  return decodeURIComponent(cookie).replace(/^s:/, '').split('.')[0]!;
}

describe('CSRF', () => {
  let t: TestSite;
  beforeAll(async () => {
    t = await createNotesSite({
      routes: {
        register(fastify) {
          fastify.post('/webhook', { config: { csrf: false } }, async () => ({ accepted: true }));
          fastify.get('/token-in-body', async (request, reply) => {
            const before = isPersonal(request, reply);
            const token = reply.generateCsrf();
            return { before, after: isPersonal(request, reply), token: token.length > 0 };
          });
          fastify.delete('/api/thing', { config: { api: true } }, async () => ({ deleted: true }));
          fastify.post(
            '/api/strict',
            {
              config: { api: true },
              schema: {
                body: {
                  type: 'object',
                  properties: { n: { type: 'integer' } },
                  required: ['n'],
                  additionalProperties: false,
                },
              },
            },
            async () => ({ ok: true }),
          );
        },
      },
    });
  });
  afterAll(() => t.close());

  it('an unsafe request without a token is refused with 403 and changes nothing', async () => {
    const res = await expectCountChange(t.em, Note, 0, () =>
      t.client().post('/notes/new', { title: 'No token' }, { csrf: false }),
    );
    expect(res.statusCode).toBe(403);
    const api = await t.client().delete('/api/thing', undefined, { csrf: false });
    expect(api.statusCode).toBe(403);
    expect(api.json()).toMatchObject({ status: 403, code: 'FST_CSRF_MISSING_SECRET' });
  });

  it('a forged request is refused before a route’s schema looks at its body', async () => {
    const res = await t
      .client()
      .post('/api/strict', { n: 'not a number' }, { csrf: false, json: true });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'FST_CSRF_MISSING_SECRET' });
    const signed = await t.client().post('/api/strict', { n: 'not a number' }, { json: true });
    expect(signed.statusCode).toBe(400);
  });

  it('the token from the rendered form passes', async () => {
    const c = t.client();
    const form = await c.get('/notes/new');
    const res = await expectCountChange(t.em, Note, 1, () =>
      c.post('/notes/new', { title: 'With token', _csrf: csrfFrom(form.body) }, { csrf: false }),
    );
    expect(res.statusCode).toBe(303);
  });

  it('a JSON client sends the token from /csrf-token in x-csrf-token', async () => {
    const c = t.client();
    const tokenRes = await c.get('/csrf-token');
    expect(tokenRes.headers['cache-control']).toBe('no-store');
    const res = await c.delete('/api/thing', undefined, {
      csrf: false,
      headers: { 'x-csrf-token': tokenRes.json().token },
    });
    expect(res.statusCode).toBe(200);
  });

  it('a token from another visitor’s session is refused', async () => {
    const mine = t.client();
    await mine.csrfToken();
    const theirs = await t.client().csrfToken();
    const res = await mine.post('/notes/new', { title: 'Stolen', _csrf: theirs }, { csrf: false });
    expect(res.statusCode).toBe(403);
    expect(mine.cookies.has('tessera_session')).toBe(true);
  });

  it('regression: a valid token from another site’s page is refused by its Origin', async () => {
    const c = t.client();
    const evil = await expectCountChange(t.em, Note, 0, () =>
      c.post(
        '/notes/new',
        { title: 'From elsewhere' },
        { headers: { origin: 'https://evil.example' } },
      ),
    );
    expect(evil.statusCode).toBe(403);
    const same = await c.post(
      '/notes/new',
      { title: 'From here' },
      { headers: { origin: 'http://localhost:80' } },
    );
    expect(same.statusCode).toBe(303);
  });

  it('a reply that makes a CSRF token is personal, even when a handler makes it itself', async () => {
    const visitor = t.client();
    await visitor.csrfToken();
    const res = await visitor.get('/token-in-body');
    expect(res.json()).toEqual({ before: false, after: true, token: true });
    expect(res.headers['cache-control']).toBe('private, no-cache');
  });

  it('a route that takes another credential may opt out', async () => {
    const res = await t.client().post('/webhook', { event: 'x' }, { csrf: false, json: true });
    expect(res.json()).toEqual({ accepted: true });
  });
});

describe('sessions in PostgreSQL', () => {
  let t: TestSite;
  beforeAll(async () => {
    t = await createNotesSite({
      routes: {
        register(fastify) {
          fastify.post('/logout', async (request) => {
            await request.session.destroy();
            return { out: true };
          });
        },
      },
    });
  });
  afterAll(() => t.close());

  it('a flash message is shown on the next page, once', async () => {
    const c = t.client();
    const res = await c.post('/notes/new', { title: 'Flashy' });
    expect(res.statusCode).toBe(303);
    const next = await c.get(res.headers.location as string);
    expect(next.body).toContain('<li class="message message-success">Saved “Flashy”.</li>');
    const after = await c.get('/notes');
    expect(after.body).not.toContain('Saved “Flashy”.');
  });

  it('keeps the session in core_session, with a secure cookie', async () => {
    const c = t.client();
    const res = await c.get('/csrf-token');
    const cookie = res.cookies.find((k) => k.name === 'tessera_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    const rows = await t
      .em()
      .getConnection()
      .execute<{ sid: string; expires_at: string }[]>(
        'select sid, expires_at from core_session where sid = ?',
        [sidOf(cookie.value)],
      );
    expect(rows).toHaveLength(1);
    expect(new Date(rows[0]!.expires_at).getTime()).toBeGreaterThan(
      Date.now() + 13 * 24 * 3600 * 1000,
    );
  });

  it('another process of the site serves the same session', async () => {
    const c = t.client();
    await c.post('/notes/new', { title: 'Across processes' });
    const other = await createSite(
      defineSettings({
        apps: [notes(), pins()],
        routes: { mounts: { notes: '/notes' } },
        secretKey: TEST_SECRET_KEY,
        databaseUrl: t.databaseUrl,
        logLevel: 'silent',
      }),
    );
    try {
      const cookie = [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      const res = await other.inject({ url: '/notes', headers: { cookie } });
      expect(res.body).toContain('Saved “Across processes”.');
    } finally {
      await other.close();
    }
    expect((await c.get('/notes')).body).not.toContain('Saved “Across processes”.');
  });

  it('destroying a session deletes its row', async () => {
    const c = t.client();
    await c.get('/csrf-token');
    const sid = sidOf(c.cookies.get('tessera_session')!);
    const count = async () =>
      (
        await t
          .em()
          .getConnection()
          .execute<{ n: number }[]>('select count(*)::int as n from core_session where sid = ?', [
            sid,
          ])
      )[0]!.n;
    expect(await count()).toBe(1);
    expect((await c.post('/logout')).statusCode).toBe(200);
    expect(await count()).toBe(0);
  });

  it('an expired session is not loaded, and prune removes it', async () => {
    const store = new PostgresSessionStore(t.site.orm, 60);
    const set = (sid: string, data: unknown) =>
      new Promise<void>((resolve, reject) =>
        store.set(sid, data, (err) => (err ? reject(err) : resolve())),
      );
    const get = (sid: string) =>
      new Promise<unknown>((resolve, reject) =>
        store.get(sid, (err, s) => (err ? reject(err) : resolve(s))),
      );
    await set('expired-session', {
      cookie: { expires: new Date(Date.now() - 1000).toISOString() },
    });
    await set('fresh-session', { n: 1 });
    expect(await get('expired-session')).toBeNull();
    expect(await get('fresh-session')).toEqual({ n: 1 });
    expect(await store.prune()).toBeGreaterThanOrEqual(1);
    const left = await t
      .em()
      .getConnection()
      .execute<{ sid: string }[]>("select sid from core_session where sid like '%-session'");
    expect(left).toEqual([{ sid: 'fresh-session' }]);
  });
});

describe('CSRF over HTTPS behind a front server', () => {
  let t: TestSite;
  const https = { 'x-forwarded-proto': 'https', host: 'site.example' };
  beforeAll(async () => {
    t = await createNotesSite({ settings: { trustProxy: true } });
  });
  afterAll(() => t.close());

  it('regression: an unsafe request without Origin must carry a Referer from this site', async () => {
    const c = t.client();
    const bare = await c.post('/notes/new', { title: 'No referer' }, { headers: https });
    expect(bare.statusCode).toBe(403);
    const foreign = await c.post(
      '/notes/new',
      { title: 'Foreign referer' },
      { headers: { ...https, referer: 'https://evil.example/form' } },
    );
    expect(foreign.statusCode).toBe(403);
    const here = await expectCountChange(t.em, Note, 1, () =>
      c.post(
        '/notes/new',
        { title: 'Our referer' },
        { headers: { ...https, referer: 'https://site.example/notes/new' } },
      ),
    );
    expect(here.statusCode).toBe(303);
    const origin = await c.post(
      '/notes/new',
      { title: 'Our origin' },
      { headers: { ...https, origin: 'https://site.example' } },
    );
    expect(origin.statusCode).toBe(303);
  });
});
