import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCountChange, recordHook, type TestSite } from '@tessera/testing';
import { User } from '../src/index.ts';
import { DEFAULT_PASSWORD, authSite, login, makeUser, queriesOf } from './helpers.ts';

let t: TestSite;
beforeAll(async () => {
  t = await authSite();
});
afterAll(() => t.close());

describe('register, sign in, sign out', () => {
  it('register → login → a page behind requireUser → logout → the page redirects to login again', async () => {
    const registered = recordHook(t.site.hooks, 'auth:user-registered');
    const c = t.client();
    const reg = await expectCountChange(t.em, User, 1, () =>
      c.post('/accounts/register', {
        email: 'grace@example.com',
        displayName: 'Grace',
        password: DEFAULT_PASSWORD,
        passwordConfirm: DEFAULT_PASSWORD,
      }),
    );
    expect(reg.statusCode).toBe(303);
    expect(reg.headers.location).toBe('/');
    expect(registered.at(-1)?.data).toEqual({ email: 'grace@example.com', displayName: 'Grace' });

    // Registering signs in; sign out, then in again through the form.
    expect((await c.get('/private')).json()).toEqual({ email: 'grace@example.com' });
    await c.post('/accounts/logout');
    const res = await login(c, 'GRACE@example.com');
    expect(res.statusCode).toBe(303);
    const page = await c.get('/private');
    expect(page.statusCode).toBe(200);
    expect(page.json()).toEqual({ email: 'grace@example.com' });

    const out = await c.post('/accounts/logout');
    expect(out.statusCode).toBe(303);
    const again = await c.get('/private');
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe('/accounts/login?next=%2Fprivate');
  });
});

describe('sessions', () => {
  it('rotates the session id at login (no session fixation)', async () => {
    await makeUser(t, { email: 'fix@example.com' });
    const c = t.client();
    await c.get('/accounts/login');
    await c.csrfToken(); // a CSRF token makes the anonymous session real (stored, with a cookie)
    const before = c.cookies.get('tessera_session');
    expect(before).toBeTruthy();
    expect((await login(c, 'fix@example.com')).statusCode).toBe(303);
    const after = c.cookies.get('tessera_session');
    expect(after).toBeTruthy();
    expect(after).not.toBe(before);
    // The old id is gone from the store: replaying it is anonymous.
    const replay = await t.app.inject({ url: '/private', cookies: { tessera_session: before! } });
    expect(replay.statusCode).toBe(303);
  });

  it('destroys the session at logout, and logout answers POST only', async () => {
    await makeUser(t, { email: 'out@example.com' });
    const c = t.client();
    await login(c, 'out@example.com');
    const sid = c.cookies.get('tessera_session')!;
    const outs = recordHook(t.site.hooks, 'auth:logged-out');
    const link = await c.get('/accounts/logout');
    expect(link.statusCode).toBe(405);
    expect(link.headers.allow).toBe('POST');
    expect((await c.get('/private')).statusCode).toBe(200);
    await c.post('/accounts/logout');
    expect(outs.at(-1)?.user?.email).toBe('out@example.com');
    expect(c.cookies.has('tessera_session')).toBe(false);
    const replay = await t.app.inject({ url: '/private', cookies: { tessera_session: sid } });
    expect(replay.statusCode).toBe(303);
  });

  it('costs no query without a session cookie and one for the user with a signed-in session', async () => {
    await makeUser(t, { email: 'cheap@example.com' });
    const anonymous = await t.client().get('/');
    expect(queriesOf(anonymous)).toBe(0);
    const c = t.client();
    await login(c, 'cheap@example.com');
    const page = await c.get('/');
    // One query loads the session (core), one the user with its permissions (auth).
    expect(queriesOf(page)).toBe(2);
  });

  it('gives templates the user through the context processor', async () => {
    await makeUser(t, { email: 'tpl@example.com' });
    const c = t.client();
    expect((await c.get('/whoami')).body).toContain('Anonymous');
    await login(c, 'tpl@example.com');
    expect((await c.get('/whoami')).body).toContain('Signed in as tpl@example.com');
  });

  it('signs a deactivated user out on their next request', async () => {
    const user = await makeUser(t, { email: 'gone@example.com' });
    const c = t.client();
    await login(c, 'gone@example.com');
    expect((await c.get('/private')).statusCode).toBe(200);
    const em = t.em();
    await em.nativeUpdate(User, { id: user.id }, { isActive: false });
    expect((await c.get('/private')).statusCode).toBe(303);
  });
});

describe('sign in', () => {
  it('follows a safe next and ignores an unsafe one', async () => {
    await makeUser(t, { email: 'next@example.com' });
    const page = await t.client().get('/accounts/login?next=%2Fprivate');
    expect(page.body).toContain('name="next" value="/private"');
    const c = t.client();
    const ok = await login(c, 'next@example.com', DEFAULT_PASSWORD, { next: '/private' });
    expect(ok.headers.location).toBe('/private');
    const evil = await login(t.client(), 'next@example.com', DEFAULT_PASSWORD, {
      next: '//evil.example/x',
    });
    expect(evil.headers.location).toBe('/');
    const page2 = await t.client().get('/accounts/login?next=https://evil.example/');
    expect(page2.body).not.toContain('evil.example');
  });

  // Issue 18, item 5: these passed isSafePath, and the redirect crashed (500) after the session
  // was created, since a Location header cannot carry them.
  it('500 on sign-in with next=/日本 or /。evil.example: the next is followed, percent-encoded', async () => {
    await makeUser(t, { email: 'unicode-next@example.com' });
    for (const [next, location] of [
      ['/日本', '/%E6%97%A5%E6%9C%AC'],
      ['/。evil.example', '/%E3%80%82evil.example'],
    ]) {
      const page = await t.client().get(`/accounts/login?next=${encodeURIComponent(next!)}`);
      expect(page.statusCode).toBe(200);
      const c = t.client();
      const res = await login(c, 'unicode-next@example.com', DEFAULT_PASSWORD, { next: next! });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe(location);
      expect(new URL(location!, 'https://site.example').origin).toBe('https://site.example');
      expect((await c.get('/private')).statusCode).toBe(200);
      const viaQuery = await t.client().post(`/accounts/login?next=${encodeURIComponent(next!)}`, {
        email: 'unicode-next@example.com',
        password: DEFAULT_PASSWORD,
      });
      expect(viaQuery.headers.location).toBe(location);
    }
  });

  it('answers a wrong password and an unknown email with the same message, and records why', async () => {
    await makeUser(t, { email: 'same@example.com' });
    const failures = recordHook(t.site.hooks, 'auth:login-failed');
    const wrong = await login(t.client(), 'same@example.com', 'not the password at all');
    const unknown = await login(t.client(), 'nobody@example.com', 'not the password at all');
    expect(wrong.statusCode).toBe(422);
    expect(unknown.statusCode).toBe(422);
    const message = 'Please enter a correct email and password.';
    expect(wrong.body).toContain(message);
    expect(unknown.body).toContain(message);
    const strip = (b: string) => b.replace(/value="[^"]*"/g, '').replace(/name="_csrf"[^>]*>/g, '');
    expect(strip(wrong.body)).toBe(strip(unknown.body));
    expect(failures.map((f) => f.reason)).toEqual(['credentials', 'credentials']);
  });

  it('refuses an inactive account with the same message', async () => {
    await makeUser(t, { email: 'inactive@example.com', isActive: false });
    const failures = recordHook(t.site.hooks, 'auth:login-failed');
    const res = await login(t.client(), 'inactive@example.com');
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('Please enter a correct email and password.');
    expect(failures.at(-1)?.reason).toBe('inactive');
  });

  it('refuses an account made without a password', async () => {
    await makeUser(t, { email: 'nopw@example.com', password: null });
    const res = await login(t.client(), 'nopw@example.com', 'anything at all here');
    expect(res.statusCode).toBe(422);
  });

  it('gives field errors for malformed and oversized fields', async () => {
    const c = t.client();
    const res = await c.post('/accounts/login', {
      email: 'not-an-email',
      password: 'x'.repeat(2000),
    });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('Enter a valid email address.');
    expect(res.body).toContain('Ensure this value has at most 1024 characters.');
    const extra = await c.post('/accounts/login', {
      email: 'a@example.com',
      password: 'x',
      admin: '1',
    });
    expect(extra.body).toContain('Unknown field: admin.');
  });

  it('answers JSON clients with JSON: the user on success, a problem body on failure', async () => {
    await makeUser(t, { email: 'json@example.com' });
    const c = t.client();
    const bad = await c.post(
      '/accounts/login',
      { email: 'json@example.com', password: 'wrong password here' },
      { json: true },
    );
    expect(bad.statusCode).toBe(422);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json().errors.__all__[0]).toContain('Please enter a correct email and password.');
    const ok = await c.post(
      '/accounts/login',
      { email: 'json@example.com', password: DEFAULT_PASSWORD },
      { json: true },
    );
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ redirect: '/', user: { email: 'json@example.com' } });
  });

  it('refuses a login post without a CSRF token', async () => {
    await makeUser(t, { email: 'csrf@example.com' });
    const res = await t
      .client()
      .post(
        '/accounts/login',
        { email: 'csrf@example.com', password: DEFAULT_PASSWORD },
        { csrf: false },
      );
    expect(res.statusCode).toBe(403);
  });

  it('renders the login page with a CSRF field and links', async () => {
    const res = await t.client().get('/accounts/login');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('name="_csrf"');
    expect(res.body).toContain('href="/accounts/register"');
    expect(res.body).toContain('href="/accounts/password/reset"');
  });

  it('confirms the sign-in with a message on the next page', async () => {
    await makeUser(t, { email: 'hello@example.com', displayName: 'Hedy' });
    const c = t.client();
    await login(c, 'hello@example.com');
    const next = await c.get('/accounts/login');
    expect(next.body).toContain('You are signed in as Hedy.');
    // Shown once.
    expect((await c.get('/accounts/login')).body).not.toContain('You are signed in');
  });

  it('fires logged-in and updates the last login', async () => {
    const user = await makeUser(t, { email: 'last@example.com' });
    expect(user.lastLogin).toBeNull();
    const ins = recordHook(t.site.hooks, 'auth:logged-in');
    await login(t.client(), 'last@example.com');
    expect(ins.at(-1)?.user.id).toBe(user.id);
    const reloaded = await t.em().findOneOrFail(User, { id: user.id });
    expect(reloaded.lastLogin).toBeInstanceOf(Date);
  });
});

describe('register', () => {
  it('refuses a taken email in any case, a weak password and a mismatch, creating nobody', async () => {
    await makeUser(t, { email: 'Taken@Example.com' });
    const c = t.client();
    const res = await expectCountChange(t.em, User, 0, () =>
      c.post('/accounts/register', {
        email: 'taken@EXAMPLE.com',
        password: 'password',
        passwordConfirm: 'something else',
      }),
    );
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('A user with that email address already exists.');
    expect(res.body).toContain('This password is too common.');
    expect(res.body).toContain('The two password fields didn’t match.');
    expect(res.body).not.toContain('value="password"');
  });

  it('refuses short, numeric and email-like passwords', async () => {
    const c = t.client();
    const short = await c.post('/accounts/register', {
      email: 'new1@example.com',
      password: 'a1b2',
      passwordConfirm: 'a1b2',
    });
    expect(short.body).toContain('at least 8 characters');
    const digits = await c.post('/accounts/register', {
      email: 'new1@example.com',
      password: '8301947265',
      passwordConfirm: '8301947265',
    });
    expect(digits.body).toContain('entirely numeric');
    const similar = await c.post('/accounts/register', {
      email: 'marguerite@example.com',
      password: 'marguerite1',
      passwordConfirm: 'marguerite1',
    });
    expect(similar.body).toContain('too similar to your email');
  });

  it('welcomes the new user with a message on the next page, by email when they gave no name', async () => {
    const c = t.client();
    await c.post('/accounts/register', {
      email: 'nameless@example.com',
      password: DEFAULT_PASSWORD,
      passwordConfirm: DEFAULT_PASSWORD,
    });
    const next = await c.get('/accounts/login');
    expect(next.body).toContain('Welcome, nameless@example.com: your account is ready.');
  });

  it('shows the register form', async () => {
    const res = await t.client().get('/accounts/register');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('name="passwordConfirm"');
  });
});

describe('password change', () => {
  it('changes the password, keeps this session and ends every other one', async () => {
    await makeUser(t, { email: 'change@example.com' });
    const here = t.client();
    const elsewhere = t.client();
    await login(here, 'change@example.com');
    await login(elsewhere, 'change@example.com');
    const changes = recordHook(t.site.hooks, 'auth:password-changed');
    const sidBefore = here.cookies.get('tessera_session');
    const page = await here.get('/accounts/password/change');
    expect(page.statusCode).toBe(200);
    const res = await here.post('/accounts/password/change', {
      currentPassword: DEFAULT_PASSWORD,
      newPassword: 'a brand new passphrase',
      newPasswordConfirm: 'a brand new passphrase',
    });
    expect(res.statusCode).toBe(303);
    expect(changes.at(-1)?.via).toBe('change');
    expect(here.cookies.get('tessera_session')).not.toBe(sidBefore);
    expect((await here.get('/private')).statusCode).toBe(200);
    expect((await elsewhere.get('/private')).statusCode).toBe(303);
    expect((await login(t.client(), 'change@example.com')).statusCode).toBe(422);
    expect(
      (await login(t.client(), 'change@example.com', 'a brand new passphrase')).statusCode,
    ).toBe(303);
  });

  it('refuses a wrong old password and a weak new one, changing nothing', async () => {
    const user = await makeUser(t, { email: 'keep@example.com' });
    const c = t.client();
    await login(c, 'keep@example.com');
    const res = await c.post('/accounts/password/change', {
      currentPassword: 'not my password',
      newPassword: 'qwerty',
      newPasswordConfirm: 'qwerty',
    });
    expect(res.statusCode).toBe(422);
    expect(res.headers['ratelimit-remaining']).toBeDefined();
    expect(res.body).toContain('Your old password was entered incorrectly.');
    expect(res.body).toContain('This password is too short.');
    const reloaded = await t.em().findOneOrFail(User, { id: user.id });
    expect(reloaded.passwordHash).toBe(user.passwordHash);
    const invalid = await c.post('/accounts/password/change', { currentPassword: '' });
    expect(invalid.statusCode).toBe(422);
  });

  it('sends anonymous visitors to the login page', async () => {
    const res = await t.client().get('/accounts/password/change');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/accounts/login?next=%2Faccounts%2Fpassword%2Fchange');
  });
});
