import cluster from 'node:cluster';
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import client from 'prom-client';
import type { SiteContext } from './contract.ts';

/** Where metrics are served and who may read them. */
export interface MetricsSettings {
  enabled: boolean;
  path: string;
  /** A bearer token; without one only loopback clients may read metrics. */
  token?: string;
}

const PENDING = new Map<number, (text: string) => void>();
let nextId = 1;

/** In a cluster, the primary answers workers' requests for metrics of the whole cluster. */
export function serveClusterMetrics(): void {
  const aggregator = new client.AggregatorRegistry();
  cluster.on('message', (worker, msg: { type?: string; id?: number }) => {
    if (msg?.type !== 'tessera:metrics') return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: 'tessera:metrics:reply', id: msg.id, text }),
      (err: Error) =>
        worker.send({
          type: 'tessera:metrics:reply',
          id: msg.id,
          text: `# error: ${err.message}\n`,
        }),
    );
  });
}

function clusterText(): Promise<string> {
  return new Promise((resolve) => {
    const id = nextId++;
    PENDING.set(id, resolve);
    process.send!({ type: 'tessera:metrics', id });
    setTimeout(() => {
      if (PENDING.delete(id)) resolve('# the primary did not answer in time\n');
    }, 3000).unref();
  });
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * Who may read the metrics: the bearer of the token when one is set; otherwise only a client on
 * this machine that came straight here. Behind a front server the socket is always loopback, so
 * a forwarded request (its client's address, as `trustProxy` reads it, or any forwarding header)
 * never counts as local.
 */
function allowed(request: FastifyRequest, settings: MetricsSettings): boolean {
  if (settings.token) {
    const given = Buffer.from(request.headers.authorization ?? '');
    const wanted = Buffer.from(`Bearer ${settings.token}`);
    return given.length === wanted.length && timingSafeEqual(given, wanted);
  }
  const forwarded =
    request.headers['x-forwarded-for'] !== undefined || request.headers.forwarded !== undefined;
  return !forwarded && LOOPBACK.has(request.socket.remoteAddress ?? '') && LOOPBACK.has(request.ip);
}

/**
 * Prometheus metrics: requests and latency by route name, the database pool, and whatever
 * counters apps register in `site.services.stats` (the cache's hits and misses). Not public:
 * loopback only, or a bearer token.
 */
export function registerMetrics(
  fastify: FastifyInstance,
  site: SiteContext,
  settings: MetricsSettings,
): void {
  const registry = client.register;
  if (!registry.getSingleMetric('process_cpu_seconds_total')) client.collectDefaultMetrics();
  const duration =
    (registry.getSingleMetric('tessera_http_request_duration_seconds') as client.Histogram<
      'route' | 'method' | 'status'
    >) ??
    new client.Histogram({
      name: 'tessera_http_request_duration_seconds',
      help: 'Request latency by route name, method and status.',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    });
  if (!registry.getSingleMetric('tessera_db_pool_connections')) {
    new client.Gauge({
      name: 'tessera_db_pool_connections',
      help: 'Database connections of this process by state.',
      labelNames: ['state'],
      async collect() {
        const pool = await poolOf(site);
        if (!pool) return;
        this.set({ state: 'total' }, pool.totalCount ?? 0);
        this.set({ state: 'idle' }, pool.idleCount ?? 0);
        this.set({ state: 'waiting' }, pool.waitingCount ?? 0);
      },
    });
    new client.Gauge({
      name: 'tessera_app_counter',
      help: 'Counters apps publish (for example the cache: hits, misses, stale, invalidations).',
      labelNames: ['app', 'counter'],
      collect() {
        for (const [app, read] of site.services.stats) {
          for (const [counter, value] of Object.entries(read())) this.set({ app, counter }, value);
        }
      },
    });
  }
  if (cluster.isWorker) {
    // prom-client answers the primary's aggregation requests only once it has set up its
    // listeners, which its AggregatorRegistry does (idempotently) when made.
    new client.AggregatorRegistry();
    process.on('message', (msg: { type?: string; id?: number; text?: string }) => {
      if (msg?.type !== 'tessera:metrics:reply' || msg.id === undefined) return;
      PENDING.get(msg.id)?.(msg.text ?? '');
      PENDING.delete(msg.id);
    });
  }
  fastify.addHook('onResponse', async function observeRequest(request, reply) {
    const route = request.routeOptions.config?.routeName ?? request.routeOptions.url ?? 'unmatched';
    duration.observe(
      { route, method: request.method, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  // The scraper it admits is never held back by the site-wide limit; anyone else is counted.
  const config = {
    csrf: false,
    rateLimitExempt: (request: FastifyRequest) => allowed(request, settings),
  };
  fastify.get(settings.path, { config }, async (request, reply) => {
    if (!allowed(request, settings))
      return reply.status(404).send({ title: 'Not found', status: 404 });
    const text = cluster.isWorker ? await clusterText() : await registry.metrics();
    return reply.type(registry.contentType).header('cache-control', 'no-store').send(text);
  });
}

async function poolOf(
  site: SiteContext,
): Promise<{ totalCount?: number; idleCount?: number; waitingCount?: number } | undefined> {
  try {
    const conn = site.orm.em.getConnection() as unknown as { getNativeClient(): Promise<unknown> };
    return (await conn.getNativeClient()) as {
      totalCount?: number;
      idleCount?: number;
      waitingCount?: number;
    };
  } catch {
    return undefined;
  }
}
