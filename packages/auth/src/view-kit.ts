import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  formView,
  resolveRedirect,
  safePath,
  type Form,
  type FormViewOptions,
  type RedirectTarget,
} from '@tessera/core';
import type { AuthResult } from './options.ts';
import type { ThrottleState } from './throttle.ts';

// What the auth views add to core's form view: their JSON answer, the throttle headers, the
// `next` a sign-in follows, and hook data without passwords.

/** A route handler of the auth views. */
export type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;

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

/**
 * The `next` a sign-in goes on to (form field, else query) when it is a path on this site,
 * percent-encoded for a header; else nothing.
 */
export function nextOf(request: FastifyRequest): string | undefined {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const query = (request.query ?? {}) as Record<string, unknown>;
  return safeNext(body.next) ?? safeNext(query.next);
}

function safeNext(value: unknown): string | undefined {
  return safePath(Array.isArray(value) ? value.at(-1) : value);
}

/** `RateLimit-*` (and, when refused, `Retry-After`) for the limit that binds first. */
export function throttleHeaders(s: ThrottleState): Record<string, number> {
  if (!s.limit) return {};
  return {
    'ratelimit-limit': s.limit,
    'ratelimit-remaining': s.remaining,
    'ratelimit-reset': s.resetSeconds,
    ...(s.blocked ? { 'retry-after': s.resetSeconds } : {}),
  };
}

/** What a JSON client gets after an auth view did its work: where a browser goes, and who is signed in. */
export async function jsonAnswer(
  request: FastifyRequest,
  target: RedirectTarget<AuthResult>,
  result: AuthResult,
): Promise<{ redirect: string; user: FastifyRequest['user'] }> {
  const redirect = await resolveRedirect(request.server.tessera.routes, target, request, result);
  return { redirect, user: request.user };
}

/** Core's form view, answering JSON clients `{ redirect, user }` as every auth view does. */
export function authFormView<B extends Form>(
  opts: Omit<FormViewOptions<B, AuthResult>, 'json'>,
): { get: Handler; post: Handler } {
  return formView({
    ...opts,
    json: (request, _reply, result) => jsonAnswer(request, opts.successRedirect, result),
  });
}
