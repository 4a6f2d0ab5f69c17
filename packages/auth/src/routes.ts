import type { FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { rateLimitStore, type AppContext } from '@tessera/core';
import { LogoutNeedsPost, TooManyAttempts } from './errors.ts';
import { requireUser } from './guards.ts';
import type { AuthOptions } from './options.ts';
import { AUTH, type AuthRuntime } from './runtime.ts';
import { passwordChangeViews } from './password-views.ts';
import { registerViews } from './register-views.ts';
import { resetViews } from './reset-views.ts';
import { sessionViews } from './session-views.ts';
import { humanDuration } from './view-kit.ts';

/** Mounts the auth pages (the site picks the prefix; `/accounts` is usual). */
export async function authRoutes(
  fastify: FastifyInstance,
  ctx: AppContext<AuthOptions>,
): Promise<void> {
  const rt = ctx.site.state.get(AUTH);
  const v = {
    ...sessionViews(rt),
    ...registerViews(rt),
    ...passwordChangeViews(rt),
    ...resetViews(rt),
  };
  const limit = await postRateLimit(fastify, rt);
  const post = (name: string) => ({ name, ...limit });

  fastify.get('/login', { config: { name: 'login' } }, v.loginPage);
  fastify.post('/login', { config: post('login') }, v.login);
  fastify.post('/logout', { config: post('logout') }, v.logout);
  fastify.get('/logout', async (_request, reply) => {
    reply.header('allow', 'POST');
    throw new LogoutNeedsPost();
  });
  if (ctx.options.registration) {
    fastify.get('/register', { config: { name: 'register' } }, v.registerPage);
    fastify.post('/register', { config: post('register') }, v.register);
  }
  fastify.get(
    '/password/change',
    { config: { name: 'password-change' }, preHandler: requireUser },
    v.passwordChangePage,
  );
  fastify.post(
    '/password/change',
    { config: post('password-change'), preHandler: requireUser },
    v.passwordChange,
  );
  fastify.get('/password/reset', { config: { name: 'password-reset' } }, v.passwordResetPage);
  fastify.post('/password/reset', { config: post('password-reset') }, v.passwordReset);
  fastify.get(
    '/password/reset/done',
    { config: { name: 'password-reset-done' } },
    v.passwordResetDone,
  );
  fastify.get(
    '/reset/:uid/:token',
    { config: { name: 'password-reset-confirm' } },
    v.passwordResetConfirmPage,
  );
  fastify.post(
    '/reset/:uid/:token',
    { config: post('password-reset-confirm') },
    v.passwordResetConfirm,
  );
}

/**
 * The coarse per-address limit on every POST here (@fastify/rate-limit on core's PostgreSQL
 * store, one counter per address across the routes). It runs in `preValidation`, after core's
 * CSRF guard, so forged posts from a hostile page cannot use up a visitor's count. Answers the
 * route config that turns it on.
 */
async function postRateLimit(fastify: FastifyInstance, rt: AuthRuntime) {
  const { postRateLimit: max, postRateLimitWindowSeconds: window, messages } = rt.options;
  if (max <= 0) return {};
  await fastify.register(rateLimit, {
    global: false,
    hook: 'preValidation',
    store: rateLimitStore(rt.site, 'auth:post'),
    addHeadersOnExceeding: {
      'x-ratelimit-limit': false,
      'x-ratelimit-remaining': false,
      'x-ratelimit-reset': false,
    },
    errorResponseBuilder: (_request, context) =>
      new TooManyAttempts(messages.rateLimited.replace('%s', humanDuration(context.ttl / 1000))),
  });
  return { rateLimit: { max, timeWindow: window * 1000 } };
}
