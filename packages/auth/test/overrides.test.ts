import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fields, resolveOptions } from '@tessera/core';
import { expectCountChange, recordHook, type TestSite } from '@tessera/testing';
import { AuthOptions, RegisterForm, SetPasswordForm, User } from '../src/index.ts';
import { DEFAULT_PASSWORD, authSite, login, makeUser, type AuthInput } from './helpers.ts';

/** The site's template folder: overrides auth's reset-done page and adds a login variant. */
const SITE_TEMPLATES = new URL('./fixtures/site-templates/', import.meta.url);

/** What a site writes to ask for a company name at registration. */
const SiteRegisterForm = RegisterForm.extend({
  name: 'site-register',
  fields: {
    company: fields.text({ label: 'Company', maxLength: 80 }),
    newsletter: fields.checkbox({ label: 'Send me the newsletter' }),
  },
  clean: (data) => (data.company === 'ACME' ? { company: ['ACME may not register.'] } : undefined),
});

let t: TestSite;
beforeAll(async () => {
  t = await authSite(
    {
      registerForm: SiteRegisterForm,
      registerSuccessRedirect: 'welcome',
      loginTemplate: (request) =>
        request.headers['x-variant'] === 'b' ? 'custom/login_b.njk' : 'auth/login.njk',
      loginSuccessRedirect: (_request, result) => `/welcome?user=${result.user!.id}`,
      passwordResetSuccessRedirect: () => '/welcome?reset=sent',
      messages: { invalidLogin: 'Nope, try again.' } as never,
    },
    { settings: { templates: SITE_TEMPLATES } },
  );
});
afterAll(() => t.close());

describe('a site overrides forms, templates and redirects from its settings alone', () => {
  it('uses an extended registration form, passes the extra fields to the hook, and redirects to the welcome page', async () => {
    const registered = recordHook(t.site.hooks, 'auth:user-registered');
    const c = t.client();
    const page = await c.get('/accounts/register');
    expect(page.body).toContain('name="company"');
    expect(page.headers['x-tessera-template']).toBe('auth/register.njk');
    const res = await c.post('/accounts/register', {
      email: 'boss@example.com',
      password: DEFAULT_PASSWORD,
      passwordConfirm: DEFAULT_PASSWORD,
      company: 'Initech',
      newsletter: 'on',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/welcome');
    expect(registered.at(-1)?.data).toEqual({
      email: 'boss@example.com',
      displayName: '',
      company: 'Initech',
      newsletter: true,
    });
  });

  it("runs the extended form's own checks and creates nobody when they fail", async () => {
    const res = await expectCountChange(t.em, User, 0, () =>
      t.client().post('/accounts/register', {
        email: 'wile@example.com',
        password: DEFAULT_PASSWORD,
        passwordConfirm: DEFAULT_PASSWORD,
        company: 'ACME',
      }),
    );
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('ACME may not register.');
    expect(res.body).toContain('value="ACME"');
  });

  it('chooses the login template per request and redirects through a function', async () => {
    const user = await makeUser(t, { email: 'fn@example.com' });
    const b = await t.client().get('/accounts/login', { headers: { 'x-variant': 'b' } });
    expect(b.body).toContain('Variant B sign in');
    expect(b.headers['x-tessera-template']).toBe('custom/login_b.njk');
    const a = await t.client().get('/accounts/login');
    expect(a.headers['x-tessera-template']).toBe('auth/login.njk');
    const res = await login(t.client(), 'fn@example.com');
    expect(res.headers.location).toBe(`/welcome?user=${user.id}`);
  });

  it("prefers the site's template folder to the app's", async () => {
    const res = await t.client().get('/accounts/password/reset/done');
    expect(res.body).toContain("The site's own reset-done page.");
  });

  it('redirects a reset request where the site says, and shows its messages', async () => {
    const res = await t.client().post('/accounts/password/reset', { email: 'x@example.com' });
    expect(res.headers.location).toBe('/welcome?reset=sent');
    const bad = await login(t.client(), 'fn@example.com', 'not it at all');
    expect(bad.body).toContain('Nope, try again.');
  });
});

describe('switches and checks', () => {
  it('registration can be switched off, and registering need not sign in', async () => {
    const closed = await authSite({ registration: false });
    try {
      expect((await closed.client().get('/accounts/register')).statusCode).toBe(404);
      expect((await closed.client().get('/accounts/login')).body).not.toContain(
        '/accounts/register',
      );
    } finally {
      await closed.close();
    }
    const quiet = await authSite({ loginOnRegister: false });
    try {
      const c = quiet.client();
      await c.post('/accounts/register', {
        email: 'q@example.com',
        password: DEFAULT_PASSWORD,
        passwordConfirm: DEFAULT_PASSWORD,
      });
      expect((await c.get('/private')).statusCode).toBe(303);
    } finally {
      await quiet.close();
    }
  });

  it('fails at boot on a bad option, naming the app and the field', () => {
    const options = (given: Record<string, unknown>) =>
      resolveOptions('auth', AuthOptions, given as unknown as AuthInput);
    expect(() => options({ loginForm: 3 })).toThrow(
      "App 'auth': option 'loginForm' must be a form made with defineForm() or login.extend() (got number).",
    );
    expect(() => options({ passwordHashers: [{}] })).toThrow(
      /option 'passwordHashers.0' must be a password hasher/,
    );
    expect(() => options({ siteUrl: 'example.com/x' })).toThrow(/siteUrl/);
  });

  it('fails at request time when a form function answers a form that does not extend the view’s', async () => {
    const site = await authSite({
      passwordResetForm: (() => SetPasswordForm) as unknown as AuthInput['passwordResetForm'],
    });
    try {
      const res = await site
        .client()
        .get('/accounts/password/reset', { headers: { accept: 'application/json' } });
      expect(res.statusCode).toBe(500);
    } finally {
      await site.close();
    }
  });

  it('refuses to boot in production without siteUrl', async () => {
    await expect(authSite({}, { settings: { env: 'production' } })).rejects.toThrow(
      "option 'siteUrl' must be set in production",
    );
  });
});
