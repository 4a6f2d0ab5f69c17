import type { FastifyRequest } from 'fastify';
import { refuse, resolveRedirect, wantsJson } from '@tessera/core';
import { startSession } from './current-user.ts';
import type { AuthResult } from './options.ts';
import type { AuthRuntime } from './runtime.ts';
import { findUserByEmail, nameOf } from './users.ts';
import {
  authFormView,
  humanDuration,
  jsonAnswer,
  nextOf,
  throttleHeaders,
  type Handler,
} from './view-kit.ts';

/** Sign in and sign out. */
export function sessionViews(rt: AuthRuntime) {
  const { options: o, site } = rt;
  const m = o.messages;

  /** A safe `next` wins over the site's redirect. */
  const afterLogin = async (request: FastifyRequest, result: AuthResult) =>
    nextOf(request) ?? resolveRedirect(site.routes, o.loginSuccessRedirect, request, result);

  const login = authFormView({
    form: o.loginForm,
    template: o.loginTemplate,
    context: (request) => ({ next: nextOf(request) }),
    successRedirect: afterLogin,
    async action(request, data) {
      const email = String(data.email);
      const password = String(data.password);
      const em = request.em;

      const before = await rt.throttle.check(email, request.ip);
      if (before.blocked) {
        await site.hooks.emit('auth:login-failed', {
          email,
          ip: request.ip,
          reason: 'throttled',
          request,
        });
        const message = m.throttled.replace('%s', humanDuration(before.resetSeconds));
        return refuse({ __all__: [message] }, 429, throttleHeaders(before));
      }

      // Unknown email or wrong password: the same work (one hash check), the same answer.
      const user = await findUserByEmail(em, email);
      const check = user
        ? await rt.passwords.check(user.passwordHash, password)
        : (await rt.passwords.spendOneCheck(password), { ok: false });
      if (!user || !check.ok || !user.isActive) {
        const after = await rt.throttle.fail(email, request.ip);
        const reason = user && check.ok ? 'inactive' : 'credentials';
        await site.hooks.emit('auth:login-failed', { email, ip: request.ip, reason, request });
        const message = after.blocked
          ? m.throttled.replace('%s', humanDuration(after.resetSeconds))
          : m.invalidLogin;
        return refuse({ __all__: [message] }, after.blocked ? 429 : 422, throttleHeaders(after));
      }

      if (check.upgraded) user.passwordHash = check.upgraded;
      user.lastLogin = new Date();
      await em.flush();
      await rt.throttle.succeed(email, request.ip);
      await startSession(rt, request, user);
      request.flash('success', m.loggedIn.replace('%s', nameOf(user)));
      await site.hooks.emit('auth:logged-in', { user, request });
      return { user };
    },
  });

  const logout: Handler = async (request, reply) => {
    const user = request.user;
    await request.session.destroy();
    reply.clearCookie(site.settings.session.cookieName, { path: '/' });
    request.user = null;
    await site.hooks.emit('auth:logged-out', { user, request });
    const result = { user: null };
    if (wantsJson(request))
      return reply.send(await jsonAnswer(request, o.logoutSuccessRedirect, result));
    return reply.redirectTo(o.logoutSuccessRedirect, result);
  };
  return { loginPage: login.get, login: login.post, logout };
}
