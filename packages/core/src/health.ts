// Probes for the process and its database: `/healthz` answers while the process lives,
// `/readyz` while the database answers too. They run none of the per-request set-up.
import type { FastifyInstance } from 'fastify';
import type { MikroORM } from './db/orm.ts';

/** The health routes, in a context of their own: a probe costs nothing of what pages need. */
export async function healthRoutes(
  fastify: FastifyInstance,
  opts: { orm: MikroORM },
): Promise<void> {
  // A response schema: serialised by fast-json-stringify, not JSON.stringify.
  const status = {
    type: 'object',
    properties: { status: { type: 'string' }, detail: { type: 'string' } },
  } as const;
  // A probe's answer is about this moment and this process: nobody may keep it (set by each
  // handler, not by an onSend hook every probe would pay for).
  fastify.get(
    '/healthz',
    { schema: { response: { 200: status } } },
    async function healthz(_request, reply) {
      reply.header('cache-control', 'no-store');
      return { status: 'ok' };
    },
  );
  fastify.get(
    '/readyz',
    { schema: { response: { 200: status, 503: status } } },
    async function readyz(_request, reply) {
      reply.header('cache-control', 'no-store');
      try {
        await opts.orm.em.getConnection().execute('select 1');
        return { status: 'ready' };
      } catch {
        return reply
          .status(503)
          .header('retry-after', '5')
          .send({ status: 'unavailable', detail: 'The database does not answer.' });
      }
    },
  );
}
