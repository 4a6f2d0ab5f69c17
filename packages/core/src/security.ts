// Security headers and request limits every site gets, so no app or override can forget them: a
// CSP fit for server-rendered pages (no inline script, no framing), HSTS when cookies are secure
// (production), and a per-IP request rate limit on every route answering 429.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import helmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { Redis } from 'ioredis';
import type { SiteSettings } from './contract.ts';
import { RateLimited } from './errors.ts';

/** Options of the security plugins: the site's settings. */
export interface SecurityOptions {
  settings: SiteSettings;
  /**
   * Keep @fastify/helmet for a route's own `helmet` options and `reply.helmet()` (default
   * true). A context whose routes use neither (the health probes) sets it false and spares
   * every request the plugin's two hooks.
   */
  perRoute?: boolean;
}

function helmetOptions(settings: SiteSettings): FastifyHelmetOptions {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        imgSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        scriptSrc: ["'self'"],
        // No inline styles either (`style=` attributes included): pages style through stylesheets.
        // Swagger UI's pages send a policy of their own (@fastify/swagger-ui's staticCSP).
        styleSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        upgradeInsecureRequests: settings.session.secure ? [] : null,
      },
    },
    frameguard: { action: 'deny' },
    hsts: settings.session.secure ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
  };
}

async function securityHeaders(fastify: FastifyInstance, opts: SecurityOptions): Promise<void> {
  const options = helmetOptions(opts.settings);
  // The same headers on every route, so they are worked out once, not per request (the plugin
  // builds its middleware for each request). The plugin stays, for what varies by route: a
  // route's own `helmet` options and `reply.helmet()`.
  const headers = await helmetHeaders(options);
  if (opts.perRoute !== false && !fastify.hasPlugin('@fastify/helmet'))
    await fastify.register(helmet, { ...options, global: false });
  fastify.addHook('onRequest', function securityHeaders(request, reply, done) {
    // Fastify's own headers, not the raw response's: Node writes a response whose headers all
    // come with `writeHead` without validating and copying each one a second time.
    if ((request.routeOptions.config as { helmet?: unknown }).helmet === undefined)
      reply.headers(headers);
    done();
  });
}

/** The security headers as a plugin of a context. */
export const securityHeadersPlugin = fp(securityHeaders, {
  name: '@tessera/core:security-headers',
});

async function siteRateLimit(fastify: FastifyInstance, opts: SecurityOptions): Promise<void> {
  const { settings } = opts;
  if (!settings.rateLimit) return;
  const { max, timeWindow } = settings.rateLimit;
  // Shared by every process through Redis when the site has one; otherwise counted per process
  // (a database write per request would cost more than the limit protects — see core's README).
  const redis = settings.rateLimit.redis ? await connectRedis(settings.rateLimit.redis) : undefined;
  if (redis) fastify.addHook('onClose', async () => void (await redis.quit().catch(() => {})));
  // The plugin lives in a child context with no routes of its own: registered here, it would
  // also apply every route's `config.rateLimit` — the per-route limits apps set with their own
  // instance (and store) — a second time. Here it only hands out the site-wide limiter.
  let limit!: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  await fastify.register(async function siteRateLimiter(child) {
    // The store belongs to the plugin (a route's options cannot choose it).
    await child.register(rateLimit, {
      global: false,
      ...(redis
        ? { redis, nameSpace: `tessera-rate-limit:${settings.siteName}:`, skipOnError: true }
        : {}),
    });
    limit = child.rateLimit({
      max,
      timeWindow,
      // An error, not a plain object: the site's error handler answers it like every other
      // refusal (a problem body for JSON clients, the 429 page for browsers).
      errorResponseBuilder: (_request, context) =>
        new RateLimited(
          `Too many requests: the limit is ${context.max} per ${String(timeWindow)}. Try again in ${context.after}.`,
        ),
    }) as typeof limit;
  });
  fastify.addHook('onRequest', async function siteWideRateLimit(request, reply) {
    if (request.routeOptions.config?.rateLimitExempt?.(request)) return;
    await limit(request, reply);
  });
}

/** A Redis client for the shared limit (ioredis is an optional peer: the cache app brings it). */
async function connectRedis(url: string): Promise<Redis> {
  const { Redis } = await import('ioredis').catch((err: unknown) => {
    throw new Error(
      'Setting rateLimit.redis needs the ioredis package: run `npm install ioredis` (the cache app depends on it too).',
      { cause: err },
    );
  });
  // Fail fast while Redis is away: the limit is skipped for that request, never waited on.
  return new Redis(url, {
    connectTimeout: 500,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
  });
}

/** The site-wide per-address rate limit as a plugin of a context. */
export const siteRateLimitPlugin = fp(siteRateLimit, { name: '@tessera/core:rate-limit' });

/** The headers @fastify/helmet sets with `options`, read once from a throwaway instance. */
async function helmetHeaders(
  options: FastifyHelmetOptions,
): Promise<Readonly<Record<string, number | string | string[]>>> {
  const probe = Fastify({ logger: false });
  let headers: Record<string, number | string | string[]> = {};
  await probe.register(helmet, options);
  probe.get('/', (_request, reply) => {
    headers = Object.freeze({ ...reply.raw.getHeaders() }) as typeof headers;
    reply.send();
  });
  await probe.inject('/');
  await probe.close();
  return headers;
}
