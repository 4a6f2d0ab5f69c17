import type { FormErrors } from '@tessera/core';
import { startSession } from './current-user.ts';
import type { AuthRuntime } from './runtime.ts';
import { User } from './user.entity.ts';
import { setPassword } from './users.ts';
import {
  blanked,
  done,
  formOf,
  humanDuration,
  pick,
  refuse,
  setThrottleHeaders,
  type Handler,
} from './view-kit.ts';

/** Change a known password. */
export function passwordChangeViews(rt: AuthRuntime) {
  const { options: o, site } = rt;
  const m = o.messages;

  const passwordChangePage: Handler = async (request, reply) => {
    const form = formOf(rt, 'passwordChangeForm', request);
    return reply.render(pick(o.passwordChangeTemplate, request), { form: form.bind() });
  };

  const passwordChange: Handler = async (request, reply) => {
    const form = formOf(rt, 'passwordChangeForm', request);
    const template = pick(o.passwordChangeTemplate, request);
    const r = await form.parse(request.body);
    if (!r.ok) return refuse(request, reply, template, form, r.values, r.errors, 422);
    const data = r.data as Record<string, unknown>;
    const em = request.em;
    const user = await em.findOneOrFail(User, { id: request.user!.id });
    const values = blanked(form, data);

    // Guessing the old password from a borrowed session counts against the account's limit.
    const before = await rt.throttle.check(user.email, request.ip);
    if (before.blocked) {
      setThrottleHeaders(reply, before);
      const message = m.throttled.replace('%s', humanDuration(before.resetSeconds));
      return refuse(request, reply, template, form, values, { __all__: [message] }, 429);
    }
    const errors: FormErrors = {};
    const check = await rt.passwords.check(user.passwordHash, String(data.currentPassword));
    if (!check.ok) {
      const after = await rt.throttle.fail(user.email, request.ip);
      setThrottleHeaders(reply, after);
      errors.currentPassword = [m.wrongCurrentPassword];
      if (after.blocked)
        return refuse(
          request,
          reply,
          template,
          form,
          values,
          { ...errors, __all__: [m.throttled.replace('%s', humanDuration(after.resetSeconds))] },
          429,
        );
    }
    const password = String(data.newPassword);
    if ('newPasswordConfirm' in data && data.newPasswordConfirm !== password)
      errors.newPasswordConfirm = [m.passwordMismatch];
    const weak = await rt.validatePassword(password, user);
    if (weak.length) errors.newPassword = weak;
    if (Object.keys(errors).length)
      return refuse(request, reply, template, form, values, errors, 422);

    await setPassword(em, user, password);
    // A new session id with the new password's hash: this session stays, every other one ends.
    await startSession(rt, request, user);
    request.flash('success', m.passwordChanged);
    await site.hooks.emit('auth:password-changed', { user, via: 'change', request });
    return done(request, reply, o.passwordChangeSuccessRedirect, { user });
  };
  return { passwordChangePage, passwordChange };
}
