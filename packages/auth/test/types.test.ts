import { describe, expectTypeOf, it } from 'vitest';
import type { FastifyRequest } from 'fastify';
import type { CurrentUser, HookPayloads, RouteParams, UrlFor } from '@tessera/core';
import type { AuthResult, User } from '../src/index.ts';
import { auth } from '../src/index.ts';

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
});
