import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';

/**
 * OpenAPI for every JSON route an app describes with a `schema` (apps add `tags` to group
 * them): the spec at `<path>/json` and a browsable page at `<path>`. Registered before the
 * apps, so their routes are collected as they are added.
 */
export async function registerOpenApi(
  fastify: FastifyInstance,
  opts: { path: string; title: string; version: string },
): Promise<void> {
  await fastify.register(swagger, {
    openapi: {
      info: { title: opts.title, version: opts.version },
      components: {
        securitySchemes: { csrf: { type: 'apiKey', in: 'header', name: 'x-csrf-token' } },
      },
    },
    hideUntagged: true,
  });
  await fastify.register(swaggerUi, {
    routePrefix: opts.path,
    staticCSP: true,
    // Swagger UI styles some of its own elements inline; on its pages alone that is allowed (its
    // scripts stay 'self' only), and nothing is fetched from other hosts.
    transformStaticCSP: (header) =>
      header
        .replace(/style-src [^;]*/, "style-src 'self' 'unsafe-inline'")
        .replace(/font-src [^;]*/, "font-src 'self' data:")
        .replace(/img-src [^;]*/, "img-src 'self' data:"),
  });
}
