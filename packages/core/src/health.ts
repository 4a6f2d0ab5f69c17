// Probes for the process and its database: `/healthz` answers while the process lives,
// `/readyz` while the database answers too. They run none of the per-request set-up.
import type { FastifyInstance } from 'fastify';
import type { MikroORM } from './db/orm.ts';

/** The health routes, in a context of their own: a probe costs nothing of what pages need. */
export async function healthRoutes(
  fastify: FastifyInstance,
  opts: { orm: MikroORM },
): Promise<void> {
  // A probe's answer is about this moment and this process: nobody may keep it.
  fastify.addHook('onSend', function neverStoreProbes(_request, reply, payload, done) {
    reply.header('cache-control', 'no-store');
    done(null, payload);
  });
  fastify.get('/healthz', async () => ({ status: 'ok' }));
  fastify.get('/readyz', async (_request, reply) => {
    try {
      await opts.orm.em.getConnection().execute('select 1');
      return { status: 'ready' };
    } catch {
      return reply
        .status(503)
        .header('retry-after', '5')
        .send({ status: 'unavailable', detail: 'The database does not answer.' });
    }
  });
}
