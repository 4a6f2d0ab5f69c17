import type { FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
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
  await fastify.register(helmet, {
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
        // Swagger UI's page sets a few inline styles; nothing else needs them.
        styleSrc: ["'self'", "'unsafe-inline'"],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        upgradeInsecureRequests: settings.session.secure ? [] : null,
      },
    },
    frameguard: { action: 'deny' },
    hsts: settings.session.secure ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
  });
  if (settings.rateLimit) {
    const { timeWindow } = settings.rateLimit;
    await fastify.register(rateLimit, {
      global: true,
      max: settings.rateLimit.max,
      timeWindow: settings.rateLimit.timeWindow,
      // Probes and the metrics scraper are not visitors.
      allowList: (request) =>
        EXEMPT.has(request.url.split('?')[0]!) || request.url === settings.metrics.path,
      errorResponseBuilder: (_request, context) => ({
        statusCode: 429,
        code: 'TESSERA_RATE_LIMITED',
        message: `Too many requests: the limit is ${context.max} per ${String(timeWindow)}. Try again in ${context.after}.`,
      }),
    });
  }
}
