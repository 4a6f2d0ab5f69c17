import { startSession } from './current-user.ts';
import type { AuthRuntime } from './runtime.ts';
import {
  blanked,
  done,
  formOf,
  humanDuration,
  pick,
  refuse,
  safeNext,
  setThrottleHeaders,
  type Handler,
} from './view-kit.ts';
import { findUserByEmail, nameOf } from './users.ts';

/** Sign in and sign out. */
export function sessionViews(rt: AuthRuntime) {
  const { options: o, site } = rt;
  const m = o.messages;

  const loginPage: Handler = async (request, reply) => {
    const form = formOf(rt, 'loginForm', request);
    const next = safeNext((request.query as Record<string, unknown>).next);
    return reply.render(pick(o.loginTemplate, request), { form: form.bind(), next });
  };

  const login: Handler = async (request, reply) => {
    const form = formOf(rt, 'loginForm', request);
    const template = pick(o.loginTemplate, request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const next = safeNext(body.next) ?? safeNext((request.query as Record<string, unknown>).next);
    const r = await form.parse(body);
    if (!r.ok) return refuse(request, reply, template, form, r.values, r.errors, 422, { next });
    const email = String(r.data.email);
    const password = String(r.data.password);
    const values = blanked(form, r.data);
    const em = request.em;

    const before = await rt.throttle.check(email, request.ip);
    if (before.blocked) {
      setThrottleHeaders(reply, before);
      await site.hooks.emit('auth:login-failed', {
        email,
        ip: request.ip,
        reason: 'throttled',
        request,
      });
      const message = m.throttled.replace('%s', humanDuration(before.resetSeconds));
      return refuse(request, reply, template, form, values, { __all__: [message] }, 429, { next });
    }

    // Unknown email or wrong password: the same work (one hash check), the same answer.
    const user = await findUserByEmail(em, email);
    const check = user
      ? await rt.passwords.check(user.passwordHash, password)
      : (await rt.passwords.spendOneCheck(password), { ok: false });
    if (!user || !check.ok || !user.isActive) {
      const after = await rt.throttle.fail(email, request.ip);
      setThrottleHeaders(reply, after);
      const reason = user && check.ok ? 'inactive' : 'credentials';
      await site.hooks.emit('auth:login-failed', { email, ip: request.ip, reason, request });
      const message = after.blocked
        ? m.throttled.replace('%s', humanDuration(after.resetSeconds))
        : m.invalidLogin;
      return refuse(
        request,
        reply,
        template,
        form,
        values,
        { __all__: [message] },
        after.blocked ? 429 : 422,
        { next },
      );
    }

    if (check.upgraded) user.passwordHash = check.upgraded;
    user.lastLogin = new Date();
    await em.flush();
    await rt.throttle.succeed(email, request.ip);
    await startSession(rt, request, user);
    request.flash('success', m.loggedIn.replace('%s', nameOf(user)));
    await site.hooks.emit('auth:logged-in', { user, request });
    return done(request, reply, next ?? o.loginSuccessRedirect, { user });
  };

  const logout: Handler = async (request, reply) => {
    const user = request.user;
    await request.session.destroy();
    reply.clearCookie(site.settings.session.cookieName, { path: '/' });
    request.user = null;
    await site.hooks.emit('auth:logged-out', { user, request });
    return done(request, reply, o.logoutSuccessRedirect, { user: null });
  };
  return { loginPage, login, logout };
}
