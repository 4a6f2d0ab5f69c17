import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SECRET_KEY, expectCountChange, recordHook, type TestSite } from '@tessera/testing';
import { User } from '../src/index.ts';
import { ResetTokens, encodeUid } from '../src/tokens.ts';
import { authSite, login, makeUser } from './helpers.ts';

let t: TestSite;
beforeAll(async () => {
  t = await authSite({ siteUrl: 'https://tessera.example' });
});
afterAll(() => t.close());

const NEW_PASSWORD = 'a completely new passphrase';

function linkIn(text: string): string {
  const m = /https:\/\/tessera\.example(\/accounts\/reset\/[^/\s]+\/[^\s]+)/.exec(text);
  if (!m) throw new Error(`No reset link in:\n${text}`);
  return m[1]!;
}

/** Asks for a reset link, then runs the mail job the request queued, as a worker would. */
async function requestReset(email: string) {
  const before = t.outbox.length;
  const res = await t.client().post('/accounts/password/reset', { email });
  expect(t.outbox).toHaveLength(before); // nothing is mailed inside the request
  const ran = await t.site.jobs.drain({ only: 'auth:send-reset' });
  return { res, ran, mail: t.outbox.slice(before) };
}

describe('password reset', () => {
  it('round trip through the mail outbox; the same link fails the second time', async () => {
    const user = await makeUser(t, { email: 'reset@example.com', displayName: 'Rita' });
    const { res, mail } = await requestReset('RESET@example.com');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/accounts/password/reset/done');
    expect(mail).toHaveLength(1);
    expect(mail[0]!.to).toEqual(['reset@example.com']);
    expect(mail[0]!.subject).toBe('Set a new password on Tessera');
    expect(mail[0]!.text).toContain('Hello Rita,');
    const link = linkIn(mail[0]!.text);

    const c = t.client();
    const open = await c.get(link);
    // The token leaves the address bar: it is kept in the session and the page is a plain URL.
    expect(open.statusCode).toBe(303);
    expect(open.headers.location).toBe(`/accounts/reset/${encodeUid(user.id)}/set-password`);
    expect(open.headers['referrer-policy']).toBe('no-referrer');
    const form = await c.get(open.headers.location as string);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Choose a new password for reset@example.com');

    const changes = recordHook(t.site.hooks, 'auth:password-changed');
    const set = await c.post(open.headers.location as string, {
      newPassword: NEW_PASSWORD,
      newPasswordConfirm: NEW_PASSWORD,
    });
    expect(set.statusCode).toBe(303);
    expect(set.headers.location).toBe('/accounts/login');
    expect(changes.at(-1)?.via).toBe('reset');
    expect((await c.get('/accounts/login')).body).toContain('Your password has been set.');
    expect((await login(t.client(), 'reset@example.com', NEW_PASSWORD)).statusCode).toBe(303);

    // Second use: refused with a clear page, in a fresh browser and in the same one.
    const again = await t.client().get(link);
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain('This password reset link is not valid');
    const sameBrowser = await c.post(open.headers.location as string, {
      newPassword: 'yet another passphrase',
      newPasswordConfirm: 'yet another passphrase',
    });
    expect(sameBrowser.statusCode).toBe(400);
  });

  it('answers an unknown email exactly as a known one, and sends nothing', async () => {
    const { res, mail } = await requestReset('stranger@example.com');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/accounts/password/reset/done');
    expect(mail).toHaveLength(0);
    const done = await t.client().get('/accounts/password/reset/done');
    expect(done.body).toContain('Check your email');
  });

  it('sends nothing to an inactive account', async () => {
    await makeUser(t, { email: 'asleep@example.com', isActive: false });
    expect((await requestReset('asleep@example.com')).mail).toHaveLength(0);
  });

  it('refuses a tampered token, a bad uid and an expired token with clear pages', async () => {
    const user = await makeUser(t, { email: 'tamper@example.com' });
    const { mail } = await requestReset('tamper@example.com');
    const link = linkIn(mail[0]!.text);
    const tampered = link.slice(0, -3) + (link.endsWith('AAA') ? 'BBB' : 'AAA');
    const res = await t.client().get(tampered);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('This link is not valid');
    expect((await t.client().get('/accounts/reset/!!!/abc')).statusCode).toBe(400);
    expect((await t.client().get(`/accounts/reset/${encodeUid(999999)}/1-abc`)).statusCode).toBe(
      400,
    );

    const fourDaysAgo = new ResetTokens(
      TEST_SECRET_KEY,
      3 * 24 * 3600,
      () => Date.now() - 4 * 24 * 3600 * 1000,
    );
    const old = fourDaysAgo.make(user);
    const expired = await t.client().get(`/accounts/reset/${encodeUid(user.id)}/${old}`);
    expect(expired.statusCode).toBe(400);
    expect(expired.body).toContain('This password reset link has expired.');
    const json = await t.client().get(`/accounts/reset/${encodeUid(user.id)}/${old}`, {
      headers: { accept: 'application/json' },
    });
    expect(json.json()).toMatchObject({ status: 400, code: 'TESSERA_AUTH_RESET_LINK_EXPIRED' });
  });

  it('a token stops working once the user signs in', async () => {
    await makeUser(t, { email: 'signin@example.com' });
    const { mail } = await requestReset('signin@example.com');
    const link = linkIn(mail[0]!.text);
    await login(t.client(), 'signin@example.com');
    expect((await t.client().get(link)).statusCode).toBe(400);
  });

  it('refuses a weak or mismatched new password and keeps the link usable', async () => {
    const user = await makeUser(t, { email: 'weak@example.com' });
    const { mail } = await requestReset('weak@example.com');
    const c = t.client();
    const open = await c.get(linkIn(mail[0]!.text));
    const page = open.headers.location as string;
    const res = await expectCountChange(t.em, User, 0, () =>
      c.post(page, { newPassword: '12345678', newPasswordConfirm: '12345679' }),
    );
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('This password is too common.');
    expect(res.body).toContain('didn’t match');
    const unchanged = await t.em().findOneOrFail(User, { id: user.id });
    expect(unchanged.passwordHash).toBe(user.passwordHash);
    const empty = await c.post(page, {});
    expect(empty.statusCode).toBe(422);
    const ok = await c.post(page, { newPassword: NEW_PASSWORD, newPasswordConfirm: NEW_PASSWORD });
    expect(ok.statusCode).toBe(303);
  });

  it('accepts the token in the path from JSON clients', async () => {
    const user = await makeUser(t, { email: 'spa@example.com' });
    const { mail } = await requestReset('spa@example.com');
    const link = linkIn(mail[0]!.text);
    const res = await t
      .client()
      .post(link, { newPassword: NEW_PASSWORD, newPasswordConfirm: NEW_PASSWORD }, { json: true });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ redirect: '/accounts/login' });
    expect(link).toContain(encodeUid(user.id));
  });

  it('still answers the same when the mail transport fails, and the mail job is retried', async () => {
    await makeUser(t, { email: 'smtp@example.com' });
    t.site.mail.failWith = new Error('smtp down');
    try {
      const { res, ran, mail } = await requestReset('smtp@example.com');
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/accounts/password/reset/done');
      expect(ran).toEqual({ completed: 0, failed: 1 });
      expect(mail).toHaveLength(0);
      expect(await t.site.jobs.queued('auth:send-reset')).toMatchObject([
        { state: 'retry', payload: { email: 'smtp@example.com' } },
      ]);
    } finally {
      t.site.mail.failWith = null;
    }
    expect(await t.site.jobs.drain({ only: 'auth:send-reset', deferred: true })).toEqual({
      completed: 1,
      failed: 0,
    });
    expect(t.outbox.at(-1)?.to).toEqual(['smtp@example.com']);
  });

  it('gives a field error for a malformed email', async () => {
    const res = await t.client().post('/accounts/password/reset', { email: 'nope' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('Enter a valid email address.');
    expect((await t.client().get('/accounts/password/reset')).body).toContain(
      'Forgotten your password?',
    );
  });
});

describe('reset links without siteUrl', () => {
  it('use the request origin in development', async () => {
    const dev = await authSite();
    try {
      await makeUser(dev, { email: 'origin@example.com' });
      await dev
        .client()
        .post(
          '/accounts/password/reset',
          { email: 'origin@example.com' },
          { headers: { host: 'dev.localhost:3000' } },
        );
      await dev.site.jobs.drain();
      expect(dev.outbox.at(-1)?.text).toContain('http://dev.localhost:3000/accounts/reset/');
    } finally {
      await dev.close();
    }
  });
});
