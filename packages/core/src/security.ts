import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import helmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import { RateLimited } from './errors.ts';
import type { SiteSettings } from './settings.ts';

/**
 * Security headers and request limits every site gets, so no app or override can forget them:
 * a CSP fit for server-rendered pages (no inline script, no framing), HSTS when cookies are
 * secure (production), and a per-IP request rate limit on every route answering 429.
 */
const EXEMPT = new Set(['/healthz', '/readyz']);

export async function registerSecurity(
  fastify: FastifyInstance,
  settings: SiteSettings,
): Promise<void> {
  const helmetOptions: FastifyHelmetOptions = {
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
  // The same headers on every route, so they are worked out once, not per request (the plugin
  // builds its middleware for each request). The plugin stays, for what varies by route: a
  // route's own `helmet` options and `reply.helmet()`.
  const headers = await helmetHeaders(helmetOptions);
  await fastify.register(helmet, { ...helmetOptions, global: false });
  fastify.addHook('onRequest', function securityHeaders(request, reply, done) {
    // Fastify's own headers, not the raw response's: Node writes a response whose headers all
    // come with `writeHead` without validating and copying each one a second time.
    if ((request.routeOptions.config as { helmet?: unknown }).helmet === undefined)
      reply.headers(headers);
    done();
  });
  if (settings.rateLimit) {
    const { timeWindow } = settings.rateLimit;
    // The plugin lives in a child context with no routes of its own: registered on the root, it
    // would also apply every route's `config.rateLimit` — the per-route limits apps set with their
    // own instance (and store) — a second time. Here it only hands out the site-wide limiter.
    let limit!: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
    await fastify.register(async function siteRateLimit(child) {
      await child.register(rateLimit, { global: false });
      limit = child.rateLimit({
        max: settings.rateLimit ? settings.rateLimit.max : 0,
        timeWindow,
        // Probes and the metrics scraper are not visitors.
        allowList: (request) =>
          EXEMPT.has(request.url.split('?')[0]!) || request.url === settings.metrics.path,
        // An error, not a plain object: the site's error handler answers it like every other
        // refusal (a problem body for JSON clients, the 429 page for browsers).
        errorResponseBuilder: (_request, context) =>
          new RateLimited(
            `Too many requests: the limit is ${context.max} per ${String(timeWindow)}. Try again in ${context.after}.`,
          ),
      }) as never;
    });
    fastify.addHook('onRequest', async function siteWideRateLimit(request, reply) {
      await limit(request, reply);
    });
  }
}

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
