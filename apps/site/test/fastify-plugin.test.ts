// A team that already runs Fastify adds our apps to its server with `register(tessera, settings)`:
// its own routes stay as they were, ours get sessions, CSRF and the site's error pages.
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineSettings, tessera } from '@tessera/core';
import { dropDatabase, ensureDatabase } from '@tessera/core/internal';
import { TEST_SECRET_KEY, TestClient, testServerUrl } from '@tessera/testing';
import { base } from '../src/settings/base.ts';

let app: FastifyInstance;
let database: string;
let closedWith: string | undefined;

beforeAll(async () => {
  database = `tessera_t_${randomBytes(6).toString('hex')}`;
  await ensureDatabase(testServerUrl(), database);
  app = Fastify({ logger: false });
  // The team's own routes, before and after ours: Tessera leaves them alone.
  app.get('/api/ping', async () => ({ ok: true }));
  app.post('/api/echo', async (request) => ({ echoed: request.body }));
  app.addHook('onClose', async () => {
    closedWith = 'team hook';
  });
  await app.register(tessera, {
    ...defineSettings({
      ...base,
      env: 'test',
      logLevel: 'silent',
      secretKey: TEST_SECRET_KEY,
      databaseUrl: `${testServerUrl()}/${database}`,
      mail: { transport: 'outbox', from: 'site@example.com', managers: ['m@example.com'] },
    }),
    migrate: true,
  });
  app.get('/api/after', async () => ({ after: true }));
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await dropDatabase(testServerUrl(), database);
});

describe('tessera registered on a plain Fastify server', () => {
  it('is a named plugin, and so is every installed app', () => {
    expect(app.hasPlugin('@tessera/core')).toBe(true);
    for (const name of ['auth', 'tagging', 'blog', 'contact-form', 'cache', 'admin'])
      expect(app.hasPlugin(`@tessera/${name}`)).toBe(true);
    expect(app.tessera.apps.map((a) => a.name)).toEqual([
      'core',
      'auth',
      'tagging',
      'blog',
      'contact-form',
      'cache',
      'admin',
    ]);
  });

  it('serves the team’s routes as before: no session cookie, no CSRF on their POSTs', async () => {
    const ping = await app.inject('/api/ping');
    expect(ping.json()).toEqual({ ok: true });
    expect(ping.headers['set-cookie']).toBeUndefined();
    expect(ping.headers['content-security-policy']).toBeUndefined();
    const echo = await app.inject({ method: 'POST', url: '/api/echo', payload: { a: 1 } });
    expect(echo.statusCode).toBe(200);
    expect(echo.json()).toEqual({ echoed: { a: 1 } });
    expect((await app.inject('/api/after')).json()).toEqual({ after: true });
  });

  it('serves our pages with the site’s security headers and templates', async () => {
    const res = await app.inject({ url: '/blog/', headers: { accept: 'text/html' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(String(res.headers['content-security-policy'])).toContain("default-src 'self'");
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
  });

  it('keeps sessions and refuses a form posted without its CSRF token', async () => {
    const forged = await app.inject({
      method: 'POST',
      url: '/contact/',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      payload: 'name=A&email=a%40example.com&message=hello&topic=general',
    });
    expect(forged.statusCode).toBe(403);
    expect(forged.headers['content-type']).toContain('text/html');

    const visitor = new TestClient(app);
    const sent = await visitor.post('/contact/', {
      name: 'Ada',
      email: 'ada@example.com',
      topic: 'general',
      message: 'Hello from a team’s own server.',
    });
    expect(sent.statusCode).toBe(303);
    expect(sent.headers.location).toBe('/contact/sent');
    expect(visitor.cookies.size).toBe(1);
    await app.tessera.jobs.drain({ only: 'contact-form:deliver' });
    expect(app.tessera.mail.outbox.at(-1)?.text).toContain('Hello from a team’s own server.');
  });

  it('answers our missing pages with the site’s error page and JSON clients with a problem body', async () => {
    const page = await app.inject({
      url: '/blog/2001/01/nothing-here',
      headers: { accept: 'text/html' },
    });
    expect(page.statusCode).toBe(404);
    expect(page.body).toContain('<html');
    const problem = await app.inject({ url: '/nowhere', headers: { accept: 'application/json' } });
    expect(problem.statusCode).toBe(404);
    expect(problem.headers['content-type']).toContain('application/problem+json');
    expect(problem.json()).toMatchObject({ status: 404, title: 'Not found' });
  });

  it('closes the site with the server, beside the team’s own close hooks', async () => {
    const other = Fastify({ logger: false });
    const scratch = `tessera_t_${randomBytes(6).toString('hex')}`;
    await ensureDatabase(testServerUrl(), scratch);
    try {
      await other.register(tessera, {
        ...defineSettings({
          apps: [],
          routes: { mounts: {} },
          logLevel: 'silent',
          secretKey: TEST_SECRET_KEY,
          databaseUrl: `${testServerUrl()}/${scratch}`,
        }),
        migrate: true,
      });
      await other.ready();
      const orm = other.tessera.orm;
      expect(await orm.isConnected()).toBe(true);
      await other.close();
      expect(await orm.isConnected()).toBe(false);
    } finally {
      await dropDatabase(testServerUrl(), scratch);
    }
    expect(closedWith).toBeUndefined();
  });
});
