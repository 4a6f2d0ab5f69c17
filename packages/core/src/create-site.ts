// A site on a server of its own: a Fastify instance with the site's server options (logging,
// proxies, body limit, request ids), then `register(tessera, settings)`.
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import Fastify, { type FastifyHttpOptions, type FastifyInstance } from 'fastify';
import type { SiteSettings } from './contract.ts';
import { frameworkErrorHandler } from './error-pages.ts';
import { tessera } from './plugin.ts';

/** How `createSite` boots. */
export interface CreateSiteOptions {
  /** Apply pending migrations before serving (development and tests). */
  migrate?: boolean;
}

/** The Fastify server options a site runs with. */
export function serverOptions(settings: SiteSettings): FastifyHttpOptions<Server> {
  return {
    logger:
      settings.prettyLogs && installed('pino-pretty')
        ? {
            level: settings.logLevel,
            transport: {
              target: 'pino-pretty',
              options: { translateTime: 'HH:MM:ss', ignore: 'pid,hostname' },
            },
          }
        : { level: settings.logLevel },
    bodyLimit: settings.bodyLimit,
    trustProxy: settings.trustProxy,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    return503OnClosing: true,
    // A client that sends its headers a byte at a time, or never finishes its body, is dropped
    // instead of holding a socket for Node's defaults (60 s for headers, 300 s per request).
    requestTimeout: settings.timeouts.request,
    http: {
      headersTimeout: settings.timeouts.headers,
      // Node looks for overdue requests only this often (30 s by default).
      connectionsCheckingInterval: Math.max(100, Math.min(1000, settings.timeouts.headers / 2)),
    },
    frameworkErrors: frameworkErrorHandler,
  };
}

/** Composes a site on a Fastify server of its own; answers it ready (call `listen` or `inject`). */
export async function createSite(
  settings: SiteSettings,
  opts: CreateSiteOptions = {},
): Promise<FastifyInstance> {
  const fastify = Fastify(serverOptions(settings));
  try {
    await fastify.register(tessera, { ...settings, migrate: opts.migrate ?? false });
    await fastify.ready();
  } catch (err) {
    await fastify.close().catch(() => {});
    throw err;
  }
  return fastify;
}

/** True when `pkg` can be loaded from here: optional peers (pino-pretty) may be absent. */
function installed(pkg: string): boolean {
  try {
    import.meta.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}
