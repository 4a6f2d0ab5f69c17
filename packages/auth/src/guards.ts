import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { safePath, wantsJson } from '@tessera/core';
import { AuthNotInstalled, LoginRequired, PermissionDenied } from './errors.ts';
import { DEFAULT_MESSAGES } from './options.ts';
import { AUTH } from './runtime.ts';

/** The login page with a `next` back to where the visitor was going, when that is safe. */
export function loginUrl(request: FastifyRequest): string {
  const site = request.server.tessera;
  if (!site.routes.has('auth:login')) throw new AuthNotInstalled();
  const login = site.routes.reverse('auth:login');
  const next =
    request.method === 'GET' || request.method === 'HEAD' ? safePath(request.url) : undefined;
  return next ? `${login}?next=${encodeURIComponent(next)}` : login;
}

async function refuseAnonymous(
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const { state } = request.server.tessera;
  const message = state.has(AUTH)
    ? state.get(AUTH).options.messages.loginRequired
    : DEFAULT_MESSAGES.loginRequired;
  if (wantsJson(request)) throw new LoginRequired(message);
  return reply.redirect(loginUrl(request), 303);
}

/**
 * A preHandler letting only signed-in users through. Anonymous visitors are redirected to the
 * login page (with a safe `next`); JSON clients get a 401 problem body.
 */
export const requireUser: preHandlerAsyncHookHandler = async function requireUser(request, reply) {
  if (!request.user) return refuseAnonymous(request, reply);
};

/** A preHandler letting only staff through: anonymous → login, signed-in non-staff → 403. */
export const requireStaff: preHandlerAsyncHookHandler = async function requireStaff(
  request,
  reply,
) {
  if (!request.user) return refuseAnonymous(request, reply);
  if (!request.user.isStaff) throw new PermissionDenied('This page is for staff only.');
};

/**
 * A preHandler letting through users who hold every permission named (`'blog.add_entry'`),
 * directly, through a group, or as superusers. Anonymous → login; others → 403.
 */
export function requirePermission(...codenames: string[]): preHandlerAsyncHookHandler {
  if (!codenames.length) throw new TypeError('requirePermission needs at least one codename.');
  return async function requirePermissionGuard(request, reply) {
    if (!request.user) return refuseAnonymous(request, reply);
    const user = request.user;
    const missing = codenames.filter((c) => !user.hasPermission(c));
    if (missing.length)
      throw new PermissionDenied(`You need the permission ${missing.join(', ')} for this.`);
  };
}
