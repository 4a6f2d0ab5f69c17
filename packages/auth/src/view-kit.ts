import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  resolveRedirect,
  safePath,
  wantsJson,
  type FormErrors,
  type RedirectTarget,
} from '@tessera/core';
import { FormMissingField } from './errors.ts';
import type { AnyForm as Form, AuthResult, Choice } from './options.ts';
import type { AuthRuntime } from './runtime.ts';
import type { ThrottleState } from './throttle.ts';

// What every auth view shares: choosing the template and form per request, answering HTML or
// JSON, and the throttle headers.

/** A route handler of the auth views. */
export type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;
/** The options naming a form. */
export type FormOption =
  | 'loginForm'
  | 'registerForm'
  | 'passwordChangeForm'
  | 'passwordResetForm'
  | 'passwordResetConfirmForm';

/** The fields each view reads from its form; a replacement form must keep them. */
export const REQUIRED_FIELDS: Record<FormOption, string[]> = {
  loginForm: ['email', 'password'],
  registerForm: ['email', 'password'],
  passwordChangeForm: ['currentPassword', 'newPassword'],
  passwordResetForm: ['email'],
  passwordResetConfirmForm: ['newPassword'],
};

/** Fails (naming the option and the field) when a form lacks a field its view reads. */
export function checkForm(option: FormOption, form: Form): Form {
  for (const field of REQUIRED_FIELDS[option]) {
    if (!(field in form.fields))
      throw new FormMissingField(option, field, option.replace(/Form$/, ''));
  }
  return form;
}

/** A value, or what a function of the request answers. */
export function pick<T>(value: Choice<T>, request: FastifyRequest): T {
  return typeof value === 'function' ? (value as (r: FastifyRequest) => T)(request) : value;
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  422: 'Unprocessable content',
  429: 'Too many requests',
};

/** "15 minutes", "1 minute", "30 seconds". */
export function humanDuration(seconds: number): string {
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (seconds >= 3600) return unit(Math.ceil(seconds / 3600), 'hour');
  if (seconds >= 60) return unit(Math.ceil(seconds / 60), 'minute');
  return unit(Math.max(1, Math.ceil(seconds)), 'second');
}

/** The clean data without password fields (for hooks and redirect functions). */
export function withoutPasswords(
  form: Form,
  data: Record<string, unknown>,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(data).filter(([k]) => form.fields[k]?.widget !== 'password'),
  );
}

/** A `next` value when it is a path on this site (percent-encoded for a header), else nothing. */
export function safeNext(value: unknown): string | undefined {
  return safePath(Array.isArray(value) ? value.at(-1) : value);
}

/** `RateLimit-*` (and, when refused, `Retry-After`) for the limit that binds first. */
export function setThrottleHeaders(reply: FastifyReply, s: ThrottleState): void {
  if (!s.limit) return;
  reply.header('ratelimit-limit', s.limit);
  reply.header('ratelimit-remaining', s.remaining);
  reply.header('ratelimit-reset', s.resetSeconds);
  if (s.blocked) reply.header('retry-after', s.resetSeconds);
}

/** The form an option gives for this request, checked for the fields its view reads. */
export function formOf(rt: AuthRuntime, option: FormOption, request: FastifyRequest): Form {
  return checkForm(option, pick(rt.options[option], request));
}

/** Re-renders a form with errors (HTML), or answers a problem body with them (JSON). */
export async function refuse(
  request: FastifyRequest,
  reply: FastifyReply,
  template: string,
  form: Form,
  values: Record<string, unknown>,
  errors: FormErrors,
  status: number,
  extra: Record<string, unknown> = {},
): Promise<FastifyReply> {
  if (wantsJson(request)) {
    return reply
      .status(status)
      .type('application/problem+json')
      .send({
        type: 'about:blank',
        title: TITLES[status] ?? 'Bad request',
        status,
        detail: errors.__all__?.[0] ?? 'The form has errors.',
        errors,
      });
  }
  return reply.render(template, { form: form.bind(values, errors), ...extra }, status);
}

/** Redirects (HTML) or answers `{ redirect, user }` (JSON) after a view did its work. */
export async function done(
  request: FastifyRequest,
  reply: FastifyReply,
  target: RedirectTarget<AuthResult>,
  result: AuthResult,
): Promise<FastifyReply> {
  if (wantsJson(request)) {
    const redirect = await resolveRedirect(request.server.tessera.routes, target, request, result);
    return reply.send({ redirect, user: request.user });
  }
  return reply.redirectTo(target, result);
}

/** The submitted values with password fields emptied (never echo a password into a page). */
export function blanked(form: Form, data: Record<string, unknown>): Record<string, unknown> {
  return {
    ...data,
    ...Object.fromEntries(
      Object.keys(data)
        .filter((k) => form.fields[k]?.widget === 'password')
        .map((k) => [k, '']),
    ),
  };
}
