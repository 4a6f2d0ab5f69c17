// The site's own production settings: HSTS and upgrade-insecure-requests, Secure cookies, no
// debugging detail on error pages, static files left to the front server.
import './production-env.ts';
import { defineApp } from '@tessera/core';
import type { TestSite } from '@tessera/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import production from '../../src/settings/production.ts';
import { Visitor, hardeningSite } from './helpers.ts';

describe('the production settings', () => {
  let t: TestSite;
  beforeAll(async () => {
    const failing = defineApp({
      name: 'failing',
      routes(fastify) {
        fastify.get('/boom', async () => {
          throw new Error('kaboom: password=hunter2 at /srv/app/secret.ts');
        });
      },
    });
    t = await hardeningSite({
      from: production.apps,
      extraApps: [failing()],
      settings: {
        env: production.env,
        debug: production.debug,
        session: production.session,
        serveStatic: production.serveStatic,
        trustProxy: production.trustProxy,
      },
    });
  });
  afterAll(() => t.close());

  it('are the ones under test: production, debug off, secure cookies', () => {
    expect(production.env).toBe('production');
    expect(production.debug).toBe(false);
    expect(production.session.secure).toBe(true);
  });

  it('send HSTS for a year with subdomains, and ask browsers to upgrade insecure requests', async () => {
    const res = await new Visitor(t.app).send({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(String(res.headers['content-security-policy'])).toContain('upgrade-insecure-requests');
    expect(res.headers['x-frame-options']).toBe('DENY');
  });

  it('mark the session cookie Secure, HttpOnly and SameSite=Lax, and never send it over plain HTTP', async () => {
    const plain = await new Visitor(t.app).send({ method: 'GET', url: '/accounts/login' });
    expect(plain.headers['set-cookie']).toBeUndefined();
    // Behind the TLS front server (nginx says so in X-Forwarded-Proto).
    const res = await new Visitor(t.app).send({
      method: 'GET',
      url: '/accounts/login',
      headers: { 'x-forwarded-proto': 'https' },
    });
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^tessera_session=/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
  });

  it('show no error detail, stack or path to visitors when something breaks', async () => {
    const v = new Visitor(t.app);
    const page = await v.send({
      method: 'GET',
      url: '/failing/boom',
      headers: { accept: 'text/html' },
    });
    const api = await v.send({
      method: 'GET',
      url: '/failing/boom',
      headers: { accept: 'application/json' },
    });
    for (const res of [page, api]) {
      expect(res.statusCode).toBe(500);
      expect(res.body).not.toMatch(/kaboom|hunter2|secret\.ts|at .*\.ts:\d+/);
    }
    expect(api.json()).toEqual({ type: 'about:blank', title: 'Server error', status: 500 });
  });

  it('leave static files to the front server (nginx serves collectstatic’s output)', async () => {
    const res = await new Visitor(t.app).send({ method: 'GET', url: '/static/site.css' });
    expect(res.statusCode).toBe(404);
  });
});
