import type { FastifyReply, FastifyRequest } from 'fastify';
import { choose, problem, refuse, wantsJson, type FormErrors } from '@tessera/core';
import { SESSION_RESET_TOKEN } from './current-user.ts';
import type { AuthRuntime } from './runtime.ts';
import { decodeUid, type TokenCheck } from './tokens.ts';
import { User } from './user.entity.ts';
import { setPassword } from './users.ts';
import { authFormView, type Handler } from './view-kit.ts';

/** The path segment that stands for "the token kept in the session" in a reset link. */
export const SET_PASSWORD = 'set-password';

/** The user a reset link names and what its token is worth. */
interface ResetLink {
  user: User | null;
  check: TokenCheck;
  token: string;
}

// The link is read once per request; the view's context and its action both need it.
const LINK = Symbol('auth.resetLink');
type WithLink = FastifyRequest & { [LINK]?: ResetLink };

/** Ask for a reset link, and set a new password from one. */
export function resetViews(rt: AuthRuntime) {
  const { options: o, site } = rt;
  const m = o.messages;

  const reset = authFormView({
    form: o.passwordResetForm,
    template: o.passwordResetTemplate,
    successRedirect: o.passwordResetSuccessRedirect,
    async action(request, data) {
      // The same work for every address, known or not: one job, which looks the address up. The
      // answer, and its timing, tell nobody whether an account exists (no enumeration).
      await site.jobs.enqueue('auth:send-reset', {
        email: String(data.email),
        origin: o.siteUrl || `${request.protocol}://${request.host}`,
        subjectTemplate: choose(o.passwordResetSubjectTemplate, request),
        emailTemplate: choose(o.passwordResetEmailTemplate, request),
      });
      return { user: null };
    },
  });

  const passwordResetDone: Handler = async (request, reply) =>
    reply.render(choose(o.passwordResetDoneTemplate, request));

  /** The link this request follows (read once per request). */
  async function resolveLink(request: FastifyRequest): Promise<ResetLink> {
    const r = request as WithLink;
    if (r[LINK]) return r[LINK];
    const { uid, token: raw } = request.params as { uid: string; token: string };
    const token = raw === SET_PASSWORD ? (request.session.get(SESSION_RESET_TOKEN) ?? '') : raw;
    const id = decodeUid(uid);
    const user = id ? await request.em.findOne(User, { id, isActive: true }) : null;
    r[LINK] = { user, check: user ? rt.tokens.check(user, token) : 'invalid', token };
    return r[LINK];
  }

  async function invalidLink(request: FastifyRequest, reply: FastifyReply, check: TokenCheck) {
    const expired = check === 'expired';
    const message = expired ? m.resetLinkExpired : m.resetLinkInvalid;
    if (wantsJson(request))
      return problem(reply, 400, {
        detail: message,
        code: expired ? 'TESSERA_AUTH_RESET_LINK_EXPIRED' : 'TESSERA_AUTH_RESET_LINK_INVALID',
      });
    return reply.render(
      choose(o.passwordResetConfirmTemplate, request),
      { validlink: false, expired, message },
      400,
    );
  }

  const confirm = authFormView({
    form: o.passwordResetConfirmForm,
    template: o.passwordResetConfirmTemplate,
    successRedirect: o.passwordResetConfirmSuccessRedirect,
    async context(request) {
      const { user } = await resolveLink(request);
      return {
        validlink: true,
        reset_user: { email: user!.email, displayName: user!.displayName },
      };
    },
    async action(request, data) {
      const user = (await resolveLink(request)).user!;
      const password = String(data.newPassword);
      const errors: FormErrors = {};
      if ('newPasswordConfirm' in data && data.newPasswordConfirm !== password)
        errors.newPasswordConfirm = [m.passwordMismatch];
      const weak = await rt.validatePassword(password, user);
      if (weak.length) errors.newPassword = weak;
      if (Object.keys(errors).length) return refuse(errors);

      // A new hash changes the token's input: this link (and every other) stops working, and
      // every session opened with the old password ends.
      await setPassword(request.em, user, password);
      request.session.set(SESSION_RESET_TOKEN, undefined);
      request.flash('success', m.passwordResetComplete);
      await site.hooks.emit('auth:password-changed', { user, via: 'reset', request });
      return { user };
    },
  });

  const passwordResetConfirmPage: Handler = async (request, reply) => {
    reply.header('referrer-policy', 'no-referrer');
    const { check, token } = await resolveLink(request);
    if (check !== 'valid') return invalidLink(request, reply, check);
    const { uid, token: raw } = request.params as { uid: string; token: string };
    if (raw !== SET_PASSWORD) {
      // Keep the token server-side and drop it from the address bar before any page loads.
      request.session.set(SESSION_RESET_TOKEN, token);
      return reply.redirect(
        site.url('auth:password-reset-confirm', { uid, token: SET_PASSWORD }),
        303,
      );
    }
    return confirm.get(request, reply);
  };

  const passwordResetConfirm: Handler = async (request, reply) => {
    reply.header('referrer-policy', 'no-referrer');
    const { check } = await resolveLink(request);
    if (check !== 'valid') return invalidLink(request, reply, check);
    return confirm.post(request, reply);
  };
  return {
    passwordResetPage: reset.get,
    passwordReset: reset.post,
    passwordResetDone,
    passwordResetConfirmPage,
    passwordResetConfirm,
  };
}
