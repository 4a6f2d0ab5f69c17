import type { FastifyReply, FastifyRequest } from 'fastify';
import { wantsJson, type FormErrors } from '@tessera/core';
import { SESSION_RESET_TOKEN } from './current-user.ts';
import type { AuthRuntime } from './runtime.ts';
import { decodeUid, encodeUid, type TokenCheck } from './tokens.ts';
import { User } from './user.entity.ts';
import { findUserByEmail, setPassword } from './users.ts';
import { blanked, done, formOf, pick, refuse, type Handler } from './view-kit.ts';

/** The path segment that stands for "the token kept in the session" in a reset link. */
export const SET_PASSWORD = 'set-password';

/** Ask for a reset link, and set a new password from one. */
export function resetViews(rt: AuthRuntime) {
  const { options: o, site } = rt;
  const m = o.messages;

  const passwordResetPage: Handler = async (request, reply) => {
    const form = formOf(rt, 'passwordResetForm', request);
    return reply.render(pick(o.passwordResetTemplate, request), { form: form.bind() });
  };

  const passwordReset: Handler = async (request, reply) => {
    const form = formOf(rt, 'passwordResetForm', request);
    const r = await form.parse(request.body);
    if (!r.ok)
      return refuse(
        request,
        reply,
        pick(o.passwordResetTemplate, request),
        form,
        r.values,
        r.errors,
        422,
      );
    // The answer is the same whether or not the email has an account: no enumeration.
    const user = await findUserByEmail(request.em, String(r.data.email));
    if (user?.isActive) await sendResetMail(request, user);
    return done(request, reply, o.passwordResetSuccessRedirect, { user: null });
  };

  async function sendResetMail(request: FastifyRequest, user: User): Promise<void> {
    const uid = encodeUid(user.id);
    const token = rt.tokens.make(user);
    const origin = o.siteUrl || `${request.protocol}://${request.host}`;
    const context = {
      user,
      email: user.email,
      uid,
      token,
      reset_url: origin + site.url('auth:password-reset-confirm', { uid, token }),
      site_name: site.settings.siteName,
      timeout_hours: Math.round(o.passwordResetTimeoutSeconds / 3600),
    };
    const subject = await site.templates.render(
      pick(o.passwordResetSubjectTemplate, request),
      context,
    );
    const text = await site.templates.render(pick(o.passwordResetEmailTemplate, request), context);
    try {
      await site.mail.send({ to: user.email, subject: subject.trim().split('\n')[0]!, text });
    } catch (err) {
      // Saying so would tell the visitor the email has an account; the log tells the operator.
      request.log.error({ err, userId: user.id }, 'password reset mail could not be sent');
    }
  }

  const passwordResetDone: Handler = async (request, reply) =>
    reply.render(pick(o.passwordResetDoneTemplate, request));

  /** The user a reset link names and what its token is worth. */
  async function resolveLink(
    request: FastifyRequest,
  ): Promise<{ user: User | null; check: TokenCheck; token: string }> {
    const { uid, token: raw } = request.params as { uid: string; token: string };
    const token = raw === SET_PASSWORD ? (request.session.get(SESSION_RESET_TOKEN) ?? '') : raw;
    const id = decodeUid(uid);
    const user = id ? await request.em.findOne(User, { id, isActive: true }) : null;
    return { user, check: user ? rt.tokens.check(user, token) : 'invalid', token };
  }

  async function invalidLink(request: FastifyRequest, reply: FastifyReply, check: TokenCheck) {
    const message = check === 'expired' ? m.resetLinkExpired : m.resetLinkInvalid;
    if (wantsJson(request)) {
      return reply
        .status(400)
        .type('application/problem+json')
        .send({
          type: 'about:blank',
          title: 'Bad request',
          status: 400,
          detail: message,
          code:
            check === 'expired'
              ? 'TESSERA_AUTH_RESET_LINK_EXPIRED'
              : 'TESSERA_AUTH_RESET_LINK_INVALID',
        });
    }
    return reply.render(
      pick(o.passwordResetConfirmTemplate, request),
      { validlink: false, expired: check === 'expired', message },
      400,
    );
  }

  const passwordResetConfirmPage: Handler = async (request, reply) => {
    reply.header('referrer-policy', 'no-referrer');
    const { user, check, token } = await resolveLink(request);
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
    const form = formOf(rt, 'passwordResetConfirmForm', request);
    return reply.render(pick(o.passwordResetConfirmTemplate, request), {
      form: form.bind(),
      validlink: true,
      reset_user: { email: user!.email, displayName: user!.displayName },
    });
  };

  const passwordResetConfirm: Handler = async (request, reply) => {
    reply.header('referrer-policy', 'no-referrer');
    const { user, check } = await resolveLink(request);
    if (check !== 'valid') return invalidLink(request, reply, check);
    const form = formOf(rt, 'passwordResetConfirmForm', request);
    const template = pick(o.passwordResetConfirmTemplate, request);
    const extra = {
      validlink: true,
      reset_user: { email: user!.email, displayName: user!.displayName },
    };
    const r = await form.parse(request.body);
    if (!r.ok) return refuse(request, reply, template, form, r.values, r.errors, 422, extra);
    const data = r.data as Record<string, unknown>;
    const password = String(data.newPassword);
    const errors: FormErrors = {};
    if ('newPasswordConfirm' in data && data.newPasswordConfirm !== password)
      errors.newPasswordConfirm = [m.passwordMismatch];
    const weak = await rt.validatePassword(password, user!);
    if (weak.length) errors.newPassword = weak;
    if (Object.keys(errors).length)
      return refuse(request, reply, template, form, blanked(form, data), errors, 422, extra);

    // A new hash changes the token's input: this link (and every other) stops working, and
    // every session opened with the old password ends.
    await setPassword(request.em, user!, password);
    request.session.set(SESSION_RESET_TOKEN, undefined);
    request.flash('success', m.passwordResetComplete);
    await site.hooks.emit('auth:password-changed', { user: user!, via: 'reset', request });
    return done(request, reply, o.passwordResetConfirmSuccessRedirect, { user: user! });
  };
  return {
    passwordResetPage,
    passwordReset,
    passwordResetDone,
    passwordResetConfirmPage,
    passwordResetConfirm,
  };
}
