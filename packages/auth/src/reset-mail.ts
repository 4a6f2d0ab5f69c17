// The password-reset mail is a job. The reset form does the same work for every address — check
// the form, queue one `auth:send-reset` job, redirect — and the job alone looks the address up and
// mails it only when it has an active account. So neither the answer nor its timing tells a
// visitor whether an address has an account, and a slow mail server never holds the request.
import type { JobContext, JobDeclarations } from '@tessera/core';
import { AUTH } from './runtime.ts';
import { encodeUid } from './tokens.ts';
import { findUserByEmail } from './users.ts';

/** What the reset form queues: the address as typed, and what only the request knew. */
export interface SendResetPayload {
  /** The address the visitor typed; it may belong to no account. */
  email: string;
  /** Where reset links point (`siteUrl`, else the request's own origin). */
  origin: string;
  /** The subject and body templates chosen for the request (an option may be a function of it). */
  subjectTemplate: string;
  emailTemplate: string;
}

/** How a reset mail the transport refused is tried again: five times from 30 s, doubling. */
export const RESET_MAIL_RETRY = { limit: 5, delaySeconds: 30, backoff: true } as const;

/**
 * Mails a reset link to `email` when it names an active account; does nothing otherwise. The
 * token is made here, when the mail is written, so it is as fresh as the mail. A transport failure
 * throws: the job is retried.
 */
export async function sendResetMail(
  payload: SendResetPayload,
  { site, em }: JobContext,
): Promise<{ sent: boolean }> {
  const rt = site.state.get(AUTH);
  const user = await findUserByEmail(em, payload.email);
  if (!user?.isActive) return { sent: false };
  const uid = encodeUid(user.id);
  const token = rt.tokens.make(user);
  const context = {
    user,
    email: user.email,
    uid,
    token,
    reset_url: payload.origin + site.url('auth:password-reset-confirm', { uid, token }),
    site_name: site.settings.siteName,
    timeout_hours: Math.round(rt.options.passwordResetTimeoutSeconds / 3600),
  };
  const [subject, text] = await Promise.all([
    site.templates.render(payload.subjectTemplate, context),
    site.templates.render(payload.emailTemplate, context),
  ]);
  await site.mail.send({ to: user.email, subject: subject.trim().split('\n')[0]!, text });
  return { sent: true };
}

/** The jobs auth declares. */
export const authJobs: JobDeclarations = {
  'auth:send-reset': {
    description: 'Mail a password-reset link, if the address has an active account.',
    retry: RESET_MAIL_RETRY,
    // The payload is an address anyone typed: once the job is done, its row goes (payload and
    // error alike) instead of staying 7 days.
    keepSeconds: 0,
    handler: sendResetMail,
  },
};
