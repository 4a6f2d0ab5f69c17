import { createUser, findUserByEmail, nameOf, storableEmail } from './users.ts';
import { startSession } from './current-user.ts';
import type { FormErrors } from '@tessera/core';
import type { AuthRuntime } from './runtime.ts';
import type { User } from './user.entity.ts';
import { blanked, done, formOf, pick, refuse, withoutPasswords, type Handler } from './view-kit.ts';

/** Create an account. */
export function registerViews(rt: AuthRuntime) {
  const { options: o, site } = rt;
  const m = o.messages;

  const registerPage: Handler = async (request, reply) => {
    const form = formOf(rt, 'registerForm', request);
    return reply.render(pick(o.registerTemplate, request), { form: form.bind() });
  };

  const register: Handler = async (request, reply) => {
    const form = formOf(rt, 'registerForm', request);
    const template = pick(o.registerTemplate, request);
    const r = await form.parse(request.body);
    if (!r.ok) return refuse(request, reply, template, form, r.values, r.errors, 422);
    const data = r.data as Record<string, unknown>;
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
    if (Object.keys(errors).length)
      return refuse(request, reply, template, form, blanked(form, data), errors, 422);

    let user: User;
    try {
      user = await createUser(request.em, { email, password, displayName });
    } catch (err) {
      if ((err as { code?: string }).code !== 'TESSERA_AUTH_EMAIL_TAKEN') throw err;
      return refuse(
        request,
        reply,
        template,
        form,
        blanked(form, data),
        { email: [m.emailTaken] },
        422,
      );
    }
    const publicData = withoutPasswords(form, data);
    await site.hooks.emit('auth:user-registered', { user, data: publicData, request });
    if (o.loginOnRegister) {
      await startSession(rt, request, user);
      await site.hooks.emit('auth:logged-in', { user, request });
    }
    request.flash('success', m.registered.replace('%s', nameOf(user)));
    return done(request, reply, o.registerSuccessRedirect, { user, data: publicData });
  };
  return { registerPage, register };
}
