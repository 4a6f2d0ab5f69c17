import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createSite, defineSettings } from '@tessera/core';
import { TEST_SECRET_KEY, TestClient, recordHook, type TestSite } from '@tessera/testing';
import { argon2id, auth } from '../src/index.ts';
import {
  DEFAULT_PASSWORD,
  FAST_ARGON2,
  authSite,
  browserAt,
  countingHasher,
  login,
  makeUser,
} from './helpers.ts';

const hasher = countingHasher();
let t: TestSite;
beforeAll(async () => {
  t = await authSite(
    { passwordHashers: [hasher], loginFailuresPerAccount: 3, loginFailuresPerIp: 6 },
    { settings: { trustProxy: true } },
  );
});
afterAll(() => t.close());

function from(ip: string) {
  return { headers: { 'x-forwarded-for': ip } };
}

const browser = () => browserAt(t);

describe('login throttling', () => {
  it('engages after repeated failures for an account, with the limit in the headers', async () => {
    await makeUser(t, { email: 'target@example.com' });
    const c = browser();
    const first = await login(c, 'target@example.com', 'guess number one');
    expect(first.statusCode).toBe(422);
    expect(first.headers['ratelimit-limit']).toBe('3');
    expect(first.headers['ratelimit-remaining']).toBe('2');
    expect(Number(first.headers['ratelimit-reset'])).toBeGreaterThan(0);
    expect(
      (await login(c, 'target@example.com', 'guess number two')).headers['ratelimit-remaining'],
    ).toBe('1');

    const third = await login(c, 'target@example.com', 'guess number three');
    expect(third.statusCode).toBe(429);
    expect(third.headers['retry-after']).toBe(third.headers['ratelimit-reset']);
    expect(third.body).toContain('Too many failed sign-in attempts. Try again in 15 minutes.');

    // That address is refused even with the right password, without checking it.
    const failures = recordHook(t.site.hooks, 'auth:login-failed');
    const checks = hasher.verifications;
    const right = await login(c, 'TARGET@example.com');
    expect(right.statusCode).toBe(429);
    expect(right.headers['ratelimit-remaining']).toBe('0');
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(800);
    expect(hasher.verifications).toBe(checks);
    expect(failures.at(-1)?.reason).toBe('throttled');
    const json = await c.post(
      '/accounts/login',
      { email: 'target@example.com', password: DEFAULT_PASSWORD },
      { json: true },
    );
    expect(json.statusCode).toBe(429);
    expect(json.json().detail).toContain('Too many failed sign-in attempts');
  });

  // Issue 18, item 8: five wrong passwords from anywhere locked the owner out for the window.
  it('account lockout as a weapon: guesses from one address do not lock the owner out from another', async () => {
    await makeUser(t, { email: 'owner@example.com' });
    const attacker = browser();
    for (const guess of ['guess one', 'guess two'])
      expect((await login(attacker, 'owner@example.com', guess)).statusCode).toBe(422);
    expect((await login(attacker, 'owner@example.com', 'guess three')).statusCode).toBe(429);

    // The owner, from an address with no failures on the account, signs in.
    const owner = browser();
    const signedIn = await login(owner, 'owner@example.com');
    expect(signedIn.statusCode).toBe(303);
    expect((await owner.get('/private')).statusCode).toBe(200);

    // The attacker's address stays locked, right password or not, after the owner signed in.
    const checks = hasher.verifications;
    expect((await login(attacker, 'owner@example.com')).statusCode).toBe(429);
    expect(hasher.verifications).toBe(checks);
  });

  it('a locked account gives each fresh address one attempt, then locks that pair too', async () => {
    await makeUser(t, { email: 'sprayed@example.com' });
    for (let i = 0; i < 3; i++) await login(browser(), 'sprayed@example.com', `guess ${i}`);
    const fresh = browser();
    const before = await fresh.get('/accounts/login');
    expect(before.statusCode).toBe(200);
    const one = await login(fresh, 'sprayed@example.com', 'another guess');
    expect(one.statusCode).toBe(429);
    expect(one.headers['ratelimit-remaining']).toBe('0');
    expect((await login(fresh, 'sprayed@example.com')).statusCode).toBe(429);
    // Yet another address with the right password gets in.
    expect((await login(browser(), 'sprayed@example.com')).statusCode).toBe(303);
  });

  it('a successful login resets the account count', async () => {
    await makeUser(t, { email: 'forgetful@example.com' });
    const c = browser();
    await login(c, 'forgetful@example.com', 'wrong guess one', {});
    const second = await login(c, 'forgetful@example.com', 'wrong guess two');
    expect(second.headers['ratelimit-remaining']).toBe('1');
    expect((await login(c, 'forgetful@example.com')).statusCode).toBe(303);
    const after = await login(browser(), 'forgetful@example.com', 'wrong guess three');
    expect(after.statusCode).toBe(422);
    expect(after.headers['ratelimit-remaining']).toBe('2');
  });

  it('counts failures per address across accounts', async () => {
    const c = t.client();
    const ip = '203.0.113.7';
    for (let i = 0; i < 5; i++) {
      const res = await c.post(
        '/accounts/login',
        { email: `spray${i}@example.com`, password: 'Summer2024!' },
        from(ip),
      );
      expect(res.statusCode).toBe(422);
    }
    const sixth = await c.post(
      '/accounts/login',
      { email: 'spray9@example.com', password: 'Summer2024!' },
      from(ip),
    );
    expect(sixth.statusCode).toBe(429);
    expect(sixth.headers['ratelimit-limit']).toBe('6');
    // Another address is not affected.
    const other = await c.post(
      '/accounts/login',
      { email: 'spray10@example.com', password: 'Summer2024!' },
      from('198.51.100.1'),
    );
    expect(other.statusCode).toBe(422);
  });

  it('hashes a dummy password for unknown emails, as for known ones', async () => {
    await makeUser(t, { email: 'timing@example.com' });
    let before = hasher.verifications;
    await login(browser(), 'timing@example.com', 'a wrong password', {});
    expect(hasher.verifications - before).toBe(1);
    before = hasher.verifications;
    await login(browser(), 'no-such-user@example.com', 'a wrong password');
    expect(hasher.verifications - before).toBe(1);
  });

  it('is shared between processes: failures on one are refused on another', async () => {
    await makeUser(t, { email: 'shared@example.com' });
    const second: FastifyInstance = await createSite(
      defineSettings({
        env: 'test',
        secretKey: TEST_SECRET_KEY,
        logLevel: 'silent',
        databaseUrl: t.databaseUrl,
        apps: [auth({ passwordHashers: [argon2id(FAST_ARGON2)], loginFailuresPerAccount: 3 })],
        routes: { mounts: { auth: '/accounts' } },
        mail: { transport: 'outbox', from: 'site@example.com', managers: [] },
      }),
    );
    try {
      // Both sites see the client at 127.0.0.1 (no proxy header).
      const c = t.client();
      for (let i = 0; i < 3; i++) await login(c, 'shared@example.com', `wrong guess ${i}`);
      const res = await login(new TestClient(second), 'shared@example.com');
      expect(res.statusCode).toBe(429);
    } finally {
      await second.close();
    }
  });

  it('also limits guesses of the old password when changing it', async () => {
    await makeUser(t, { email: 'borrowed@example.com' });
    const c = browser();
    await login(c, 'borrowed@example.com');
    const body = {
      currentPassword: 'a guess',
      newPassword: 'a new strong passphrase',
      newPasswordConfirm: 'a new strong passphrase',
    };
    expect((await c.post('/accounts/password/change', body)).statusCode).toBe(422);
    expect((await c.post('/accounts/password/change', body)).statusCode).toBe(422);
    const third = await c.post('/accounts/password/change', body);
    expect(third.statusCode).toBe(429);
    const fourth = await c.post('/accounts/password/change', {
      ...body,
      currentPassword: DEFAULT_PASSWORD,
    });
    expect(fourth.statusCode).toBe(429);
    expect(fourth.body).toContain('Too many failed sign-in attempts');
  });
});

describe('coarse per-address limit on POST routes', () => {
  it('refuses further posts past the limit with 429, Retry-After and a clear message', async () => {
    const small = await authSite({ postRateLimit: 2 });
    try {
      const c = small.client();
      expect(
        (await c.post('/accounts/password/reset', { email: 'a@example.com' })).statusCode,
      ).toBe(303);
      expect(
        (await c.post('/accounts/login', { email: 'a@example.com', password: 'x' })).statusCode,
      ).toBe(422);
      const third = await c.post('/accounts/password/reset', { email: 'a@example.com' });
      expect(third.statusCode).toBe(429);
      expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
      expect(third.headers['x-ratelimit-limit']).toBe('2');
      expect(third.body).toContain('Too many requests from your address.');
      // GET pages stay available.
      expect((await c.get('/accounts/login')).statusCode).toBe(200);
    } finally {
      await small.close();
    }
  });

  it('counts only posts that passed the CSRF check: forged ones cannot lock a visitor out', async () => {
    const small = await authSite({ postRateLimit: 2 });
    try {
      const c = small.client();
      for (let i = 0; i < 5; i++) {
        const forged = await c.post(
          '/accounts/login',
          { email: 'a@example.com', password: 'x' },
          { csrf: false },
        );
        expect(forged.statusCode).toBe(403);
      }
      expect(
        (await c.post('/accounts/login', { email: 'a@example.com', password: 'x' })).statusCode,
      ).toBe(422);
    } finally {
      await small.close();
    }
  });
});
