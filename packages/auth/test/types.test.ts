import { describe, expectTypeOf, it } from 'vitest';
import type { FastifyRequest } from 'fastify';
import { fields } from '@tessera/core';
import type {
  CurrentUser,
  HookPayloads,
  RedirectTarget,
  RouteParams,
  TemplateChoice,
  UrlFor,
} from '@tessera/core';
import type { AuthOptions, AuthResult, User } from '../src/index.ts';
import { LoginForm, RegisterForm, SetPasswordForm, auth } from '../src/index.ts';
import './helpers.ts';

describe('types other apps see', () => {
  it('hook payloads are typed', () => {
    expectTypeOf<HookPayloads['auth:logged-in']>().toEqualTypeOf<{
      user: User;
      request: FastifyRequest;
    }>();
    expectTypeOf<HookPayloads['auth:logged-out']['user']>().toEqualTypeOf<CurrentUser | null>();
    expectTypeOf<HookPayloads['auth:login-failed']['reason']>().toEqualTypeOf<
      'credentials' | 'inactive' | 'throttled'
    >();
    expectTypeOf<HookPayloads['auth:password-changed']['via']>().toEqualTypeOf<
      'change' | 'reset'
    >();
    expectTypeOf<HookPayloads['auth:user-registered']['data']>().toEqualTypeOf<
      Record<string, unknown>
    >();
  });

  it('route names and params are typed', () => {
    expectTypeOf<RouteParams['auth:password-reset-confirm']>().toEqualTypeOf<{
      uid: string;
      token: string;
    }>();
    const url = (() => '') as unknown as UrlFor;
    url('auth:login');
    url('auth:password-reset-confirm', { uid: 'MQ', token: 't' });
    // @ts-expect-error the confirm route needs its params
    url('auth:password-reset-confirm');
  });

  it('options take a value or a function', () => {
    auth({
      loginTemplate: (request) => (request.headers.host ? 'a.njk' : 'b.njk'),
      registerSuccessRedirect: (_request, result: AuthResult) => `/users/${result.user?.id}`,
      passwordChangeSuccessRedirect: 'home',
    });
    // @ts-expect-error a template is a name or a function answering one
    auth({ loginTemplate: 3 });
  });

  it('every redirect is a RedirectTarget of AuthResult, every template a TemplateChoice', () => {
    expectTypeOf<AuthOptions['loginSuccessRedirect']>().toEqualTypeOf<RedirectTarget<AuthResult>>();
    expectTypeOf<AuthOptions['passwordResetConfirmSuccessRedirect']>().toEqualTypeOf<
      RedirectTarget<AuthResult>
    >();
    expectTypeOf<AuthOptions['registerTemplate']>().toEqualTypeOf<TemplateChoice>();
  });

  it('accepts a form extended from the view’s own, a path and a declared route name', () => {
    const SiteRegisterForm = RegisterForm.extend({
      name: 'site-register',
      fields: { company: fields.text({ label: 'Company' }) },
    });
    auth({ registerForm: SiteRegisterForm, registerSuccessRedirect: 'welcome' });
    auth({ registerForm: () => SiteRegisterForm, loginSuccessRedirect: '/welcome' });
  });

  it('refuses a wrong route name, a form of another shape and a misspelled option key', () => {
    // @ts-expect-error no route is named 'auth:logn'
    auth({ loginSuccessRedirect: 'auth:logn' });
    // @ts-expect-error a redirect by name cannot fill the confirm route's params
    auth({ passwordChangeSuccessRedirect: 'auth:password-reset-confirm' });
    // @ts-expect-error the register view reads displayName and passwordConfirm, which LoginForm lacks
    auth({ registerForm: LoginForm });
    // @ts-expect-error a form function must answer a form extended from PasswordResetForm
    auth({ passwordResetForm: () => SetPasswordForm });
    // @ts-expect-error registerSucessRedirect is not an option (registerSuccessRedirect is)
    auth({ registerSucessRedirect: 'home' });
  });
});
