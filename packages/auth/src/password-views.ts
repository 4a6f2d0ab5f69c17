import { refuse, type FormErrors } from '@tessera/core';
import { startSession } from './current-user.ts';
import type { AuthRuntime } from './runtime.ts';
import { User } from './user.entity.ts';
import { setPassword } from './users.ts';
import { authFormView, humanDuration, throttleHeaders } from './view-kit.ts';

/** Change a known password. */
export function passwordChangeViews(rt: AuthRuntime) {
  const { options: o, site } = rt;
  const m = o.messages;

  const change = authFormView({
    form: o.passwordChangeForm,
    template: o.passwordChangeTemplate,
    successRedirect: o.passwordChangeSuccessRedirect,
    async action(request, data) {
      const em = request.em;
      const user = await em.findOneOrFail(User, { id: request.user!.id });

      // Guessing the old password from a borrowed session counts against the account's limit.
      const before = await rt.throttle.check(user.email, request.ip);
      if (before.blocked) {
        const message = m.throttled.replace('%s', humanDuration(before.resetSeconds));
        return refuse({ __all__: [message] }, 429, throttleHeaders(before));
      }
      const errors: FormErrors = {};
      let headers = {};
      const check = await rt.passwords.check(user.passwordHash, String(data.currentPassword));
      if (!check.ok) {
        const after = await rt.throttle.fail(user.email, request.ip);
        headers = throttleHeaders(after);
        errors.currentPassword = [m.wrongCurrentPassword];
        if (after.blocked) {
          const message = m.throttled.replace('%s', humanDuration(after.resetSeconds));
          return refuse({ ...errors, __all__: [message] }, 429, headers);
        }
      }
      const password = String(data.newPassword);
      if ('newPasswordConfirm' in data && data.newPasswordConfirm !== password)
        errors.newPasswordConfirm = [m.passwordMismatch];
      const weak = await rt.validatePassword(password, user);
      if (weak.length) errors.newPassword = weak;
      if (Object.keys(errors).length) return refuse(errors, 422, headers);

      await setPassword(em, user, password);
      // A new session id with the new password's hash: this session stays, every other one ends.
      await startSession(rt, request, user);
      request.flash('success', m.passwordChanged);
      await site.hooks.emit('auth:password-changed', { user, via: 'change', request });
      return { user };
    },
  });
  return { passwordChangePage: change.get, passwordChange: change.post };
}
