import { refuse, type FormErrors } from '@tessera/core';
import { startSession } from './current-user.ts';
import type { AuthRuntime } from './runtime.ts';
import { createUser, findUserByEmail, nameOf, storableEmail } from './users.ts';
import { authFormView, withoutPasswords } from './view-kit.ts';

/** Create an account. */
export function registerViews(rt: AuthRuntime) {
  const { options: o, site } = rt;
  const m = o.messages;

  const register = authFormView({
    form: o.registerForm,
    template: o.registerTemplate,
    successRedirect: o.registerSuccessRedirect,
    async action(request, data, _reply, form) {
      const email = String(data.email);
      const password = String(data.password);
      const displayName = typeof data.displayName === 'string' ? data.displayName : '';
      const errors: FormErrors = {};
      if ('passwordConfirm' in data && data.passwordConfirm !== password)
        errors.passwordConfirm = [m.passwordMismatch];
      const weak = await rt.validatePassword(password, { email, displayName });
      if (weak.length) errors.password = weak;
      if (!storableEmail(email)) errors.email = [m.invalidEmail];
      else if (await findUserByEmail(request.em, email)) errors.email = [m.emailTaken];
      if (Object.keys(errors).length) return refuse(errors);

      let user;
      try {
        user = await createUser(request.em, { email, password, displayName });
      } catch (err) {
        // Another registration for the same email won the race.
        if ((err as { code?: string }).code !== 'TESSERA_AUTH_EMAIL_TAKEN') throw err;
        return refuse({ email: [m.emailTaken] });
      }
      const publicData = withoutPasswords(form, data);
      await site.hooks.emit('auth:user-registered', { user, data: publicData, request });
      if (o.loginOnRegister) {
        await startSession(rt, request, user);
        await site.hooks.emit('auth:logged-in', { user, request });
      }
      request.flash('success', m.registered.replace('%s', nameOf(user)));
      return { user, data: publicData };
    },
  });
  return { registerPage: register.get, register: register.post };
}
