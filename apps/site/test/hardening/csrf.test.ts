// CSRF: every state-changing route of the site, found in the kernel's table of every registered
// route (so a new app's routes are covered the day it is installed), refuses a request without a
// valid token. A route that opts out (`config: { csrf: false }`) must take a non-cookie
// credential instead: a signed-in browser's cookies alone must not get through it.
import { defineApp } from '@tessera/core';
import type { TestSite } from '@tessera/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_EMAIL,
  CONTENT_TABLES,
  UNSAFE,
  Visitor,
  hardeningSite,
  rowCounts,
  seed,
  targets,
  visitorAs,
  type Samples,
  type Target,
} from './helpers.ts';

/** One way an unsafe route answered a request it should have refused. */
interface Opening {
  route: string;
  request: string;
  status: number;
}

const isCsrfRefusal = (status: number, body: string) =>
  status === 403 && /"code":"FST_CSRF_(MISSING_SECRET|INVALID_TOKEN)"/.test(body);

/**
 * Walks every unsafe route of `t` and answers each way one could be driven by another site:
 * without a token (anonymous, and signed in), with another session's token, and — for routes
 * without CSRF — with a signed-in browser's cookies and no other credential.
 */
async function auditCsrf(t: TestSite, s: Samples): Promise<{ checked: Target[]; open: Opening[] }> {
  const open: Opening[] = [];
  const unsafe = targets(t, s).filter((x) => UNSAFE.has(x.method));
  let n = 0;
  // Each request from its own address: per-address limits must not answer before CSRF does.
  const ip = () => `10.77.${Math.floor(++n / 250)}.${n % 250}`;
  const admin = await visitorAs(t, ADMIN_EMAIL, ip());
  const stranger = new Visitor(t.app, ip());
  const strangersToken = await stranger.token();
  for (const x of unsafe) {
    const attempts: { label: string; visitor: Visitor; headers: Record<string, string> }[] = [
      { label: 'no cookies, no token', visitor: new Visitor(t.app, ip()), headers: {} },
      {
        label: 'a session, no token',
        visitor: await withSession(new Visitor(t.app, ip())),
        headers: {},
      },
      { label: 'signed in, no token', visitor: admin, headers: {} },
      {
        label: "signed in, another session's token",
        visitor: admin,
        headers: { 'x-csrf-token': strangersToken },
      },
      {
        label: 'signed in, a forged token',
        visitor: admin,
        headers: { 'x-csrf-token': 'abc-def' },
      },
    ];
    for (const a of attempts) {
      for (const body of bodiesFor(x)) {
        const res = await a.visitor.send({
          method: x.method,
          url: x.url,
          ip: ip(),
          headers: { accept: 'application/json', ...a.headers, ...body.headers },
          payload: body.payload,
        });
        const refused =
          x.config.csrf === false
            ? res.statusCode === 401 || res.statusCode === 403
            : isCsrfRefusal(res.statusCode, res.body);
        if (!refused)
          open.push({
            route: `${x.method} ${x.route}`,
            request: `${a.label}, ${body.label}`,
            status: res.statusCode,
          });
      }
    }
  }
  return { checked: unsafe, open };
}

/** A visitor whose session exists (it asked for a token) but who sends none. */
async function withSession(v: Visitor): Promise<Visitor> {
  await v.token();
  return v;
}

/** The bodies a forged request might carry: a form, JSON, and nothing. */
function bodiesFor(
  _x: Target,
): { label: string; payload?: string; headers: Record<string, string> }[] {
  return [
    {
      label: 'a form body',
      payload: 'email=a%40example.com&title=Forged&_csrf=',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    },
    {
      label: 'a JSON body',
      payload: JSON.stringify({ title: 'Forged', _csrf: 'forged' }),
      headers: { 'content-type': 'application/json' },
    },
    { label: 'no body', headers: {} },
  ];
}

describe('CSRF on every unsafe route of the site', () => {
  let t: TestSite;
  let s: Samples;
  beforeAll(async () => {
    t = await hardeningSite();
    s = await seed(t);
  });
  afterAll(() => t.close());

  it('every POST, PUT, PATCH and DELETE route refuses a request without a valid token, and nothing changes', async () => {
    const before = await rowCounts(t);
    const { checked, open } = await auditCsrf(t, s);
    expect(open).toEqual([]);
    expect(await rowCounts(t)).toEqual(before);
    // The walk covers every installed app's unsafe routes, the blog's JSON API included.
    const routes = checked.map((x) => `${x.method} ${x.route}`);
    for (const expected of [
      'POST /accounts/login',
      'POST /accounts/logout',
      'POST /contact',
      'POST /contact/api',
      'POST /blog/new',
      'PATCH /blog/api/entries/:slug',
      'DELETE /blog/api/entries/:slug',
    ])
      expect(routes).toContain(expected);
    expect(Object.keys(before)).toEqual([...CONTENT_TABLES]);
  }, 60_000);

  it('no route of the site switches CSRF off', () => {
    const exempt = t.site.routes
      .endpoints()
      .filter((e) => UNSAFE.has(e.method) && e.config.csrf === false)
      .map((e) => `${e.method} ${e.path}`);
    expect(exempt).toEqual([]);
  });

  it('a valid token of the visitor’s own session lets the request through to the route', async () => {
    const v = new Visitor(t.app, '10.78.0.1');
    const res = await v.send({
      method: 'POST',
      url: '/contact/api',
      json: { name: 'Ada', email: 'ada@example.com', message: 'Hello', topic: 'general' },
      token: true,
    });
    expect(res.statusCode, res.body).toBe(202);
    const [row] = await t
      .em()
      .getConnection()
      .execute<{ n: number }[]>('select count(*)::int as n from contact_form_message');
    expect(row!.n).toBe(1);
  });
});

describe('sessions', () => {
  let t: TestSite;
  beforeAll(async () => {
    t = await hardeningSite();
    await seed(t);
  });
  afterAll(() => t.close());

  it('signing in starts a new session: a session id planted before is worth nothing after', async () => {
    const v = new Visitor(t.app, '10.79.0.1');
    const tokenBefore = await v.token();
    const planted = v.cookies.get('tessera_session')!;
    await v.signIn(ADMIN_EMAIL);
    expect(v.cookies.get('tessera_session')).not.toBe(planted);
    const attacker = new Visitor(t.app, '10.79.0.2');
    attacker.cookies.set('tessera_session', planted);
    const res = await attacker.send({ method: 'GET', url: '/accounts/password/change' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toMatch(/^\/accounts\/login/);
    // The token of the old session does not work in the new one either.
    const stale = await v.send({
      method: 'POST',
      url: '/contact/api',
      json: { name: 'A', email: 'a@example.com', message: 'x', topic: 'general' },
      headers: { 'x-csrf-token': tokenBefore, accept: 'application/json' },
    });
    expect(stale.statusCode).toBe(403);
  });

  it('signing out ends the session on the server: its cookie no longer signs anyone in', async () => {
    const v = await visitorAs(t, ADMIN_EMAIL, '10.79.0.3');
    const cookie = v.cookies.get('tessera_session')!;
    expect(
      (await v.send({ method: 'POST', url: '/accounts/logout', token: true })).statusCode,
    ).toBe(303);
    const replay = new Visitor(t.app, '10.79.0.4');
    replay.cookies.set('tessera_session', cookie);
    expect(
      (await replay.send({ method: 'GET', url: '/accounts/password/change' })).statusCode,
    ).toBe(303);
  });

  it('a tampered session cookie is ignored, not trusted and not an error', async () => {
    const v = await visitorAs(t, ADMIN_EMAIL, '10.79.0.5');
    const [sid, signature] = v.cookies.get('tessera_session')!.split('.');
    const forged = new Visitor(t.app, '10.79.0.6');
    forged.cookies.set(
      'tessera_session',
      `${sid}.${signature!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))}`,
    );
    const res = await forged.send({ method: 'GET', url: '/accounts/password/change' });
    expect(res.statusCode).toBe(303);
  });
});

describe('the CSRF audit itself', () => {
  let t: TestSite;
  let s: Samples;
  beforeAll(async () => {
    // A site with two routes that opt out of CSRF: one behind a bearer token, one open.
    const doors = defineApp({
      name: 'doors',
      routes(fastify) {
        fastify.post(
          '/bearer',
          { config: { name: 'bearer', csrf: false } },
          async (request, reply) => {
            if (request.headers.authorization !== 'Bearer sesame')
              return reply.status(401).send({ detail: 'A bearer token is needed.' });
            return { ok: true };
          },
        );
        fastify.post('/open', { config: { csrf: false } }, async () => ({ ok: true }));
      },
    });
    t = await hardeningSite({ extraApps: [doors()] });
    s = await seed(t);
  });
  afterAll(() => t.close());

  it('fails for a new route that skips CSRF without a non-cookie credential, and only for it', async () => {
    const { open } = await auditCsrf(t, s);
    expect(open.length).toBeGreaterThan(0);
    expect(new Set(open.map((o) => o.route))).toEqual(new Set(['POST /doors/open']));
  }, 60_000);
});
