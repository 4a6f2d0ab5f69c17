// The mistakes `tsc` refuses in types.test.ts, made again from untyped JavaScript settings: each
// stops the boot with the app, the option and the fix, so no visitor ever meets them.
import { describe, expect, it } from 'vitest';
import { SystemCheckFailed, defineForm, fields } from '@tessera/core';
import { LoginForm } from '../src/index.ts';
import { authSite, type AuthInput } from './helpers.ts';

/** Settings as a JavaScript file would pass them: nothing checked them before the boot. */
const untyped = (options: Record<string, unknown>) => options as unknown as AuthInput;

/** Boots a site with these auth options and answers why it refused to. */
async function bootFailure(options: Record<string, unknown>): Promise<SystemCheckFailed> {
  const booted = authSite(untyped(options)).then(
    async (t) => {
      await t.close();
      throw new Error('The site booted.');
    },
    (err: unknown) => err,
  );
  const err = await booted;
  expect(err).toBeInstanceOf(SystemCheckFailed);
  return err as SystemCheckFailed;
}

/** A sign-up form written by hand, with one field misspelled. */
const HandMadeRegisterForm = defineForm({
  name: 'signup',
  fields: {
    email: fields.email({ label: 'Email' }),
    displayName: fields.text({ label: 'Name', required: false }),
    password: fields.password({ label: 'Password' }),
    passwordConfirmation: fields.password({ label: 'Password confirmation' }),
  },
});

describe('mistakes from untyped settings fail at boot, naming the app, the option and the fix', () => {
  it('a misspelled option', async () => {
    const err = await bootFailure({ registerSucessRedirect: 'home' });
    expect(err.messages).toEqual([
      {
        id: 'tessera.E005',
        level: 'error',
        message: "App 'auth': 'registerSucessRedirect' is not an option of this app.",
        hint: "Did you mean 'registerSuccessRedirect'?",
      },
    ]);
  });

  it('a redirect to a route no app declares', async () => {
    const err = await bootFailure({ loginSuccessRedirect: 'auth:logn' });
    expect(err.message).toContain(
      "tessera.E008: App 'auth': option 'loginSuccessRedirect' names route 'auth:logn', which no installed app or the site declares.\n\tHINT: Did you mean 'auth:login'?",
    );
  });

  it('a redirect by name to a route that needs parameters', async () => {
    const err = await bootFailure({ passwordChangeSuccessRedirect: 'auth:password-reset-confirm' });
    expect(err.message).toContain(
      "tessera.E008: App 'auth': option 'passwordChangeSuccessRedirect' names route 'auth:password-reset-confirm' (/accounts/reset/:uid/:token), which needs parameters",
    );
  });

  it('a form of another shape', async () => {
    const login = await bootFailure({ registerForm: LoginForm });
    expect(login.message).toContain(
      "tessera.E007: App 'auth': option 'registerForm' must extend the app's form 'register', but form 'login' lacks 'displayName', 'passwordConfirm'.\n\tHINT: Make it with register.extend(",
    );
    const handMade = await bootFailure({ registerForm: HandMadeRegisterForm });
    expect(handMade.message).toContain(
      "tessera.E007: App 'auth': option 'registerForm' must extend the app's form 'register', but form 'signup' lacks 'passwordConfirm'.\n\tHINT: Did you mean 'passwordConfirmation' for 'passwordConfirm'?",
    );
  });

  it('a template that is not on the search path', async () => {
    const err = await bootFailure({ loginTemplate: 'auth/logn.njk' });
    expect(err.message).toContain(
      "tessera.E009: App 'auth': option 'loginTemplate' names template 'auth/logn.njk', which is not on the template search path.\n\tHINT: Did you mean 'auth/login.njk'?",
    );
  });

  it('several mistakes at once are reported together', async () => {
    const err = await bootFailure({
      loginForm: 3,
      registerSucessRedirect: '/',
      loginOnRegistr: false,
    });
    expect(err.messages.map((m) => m.message)).toEqual([
      "App 'auth': 'registerSucessRedirect' is not an option of this app.",
      "App 'auth': 'loginOnRegistr' is not an option of this app.",
      "App 'auth': option 'loginForm' must be a form made with defineForm() or login.extend() (got number).",
    ]);
  });
});
