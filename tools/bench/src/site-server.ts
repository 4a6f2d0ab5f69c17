// The production site as a user runs it, in a process of its own: the site's production settings
// (apps/site/src/settings/production.ts, loaded the way `tessera serve` loads them), one process,
// listening on 127.0.0.1. Started by run.ts with NODE_OPTIONS=--conditions=source.
//
//   node site-server.ts <port> [--no-cache] [--log-level=<level>] [--migrate]
//
// Changes to the production settings, each for a reason written in docs/benchmarks.md:
//   host 127.0.0.1 and the port given   loopback only;
//   rateLimit: false                    one client address sends every request;
//   --no-cache                          the cache app is not installed (W1, W3);
//   --log-level=warn                    no per-request log lines (the bench's default).
// It answers the parent over IPC: { ready } once listening; { rss } and { queries } when asked.
import { createSite, type SiteSettings } from '@tessera/core';
import { loadSettings, migrate } from '@tessera/core/internal';
import pg from 'pg';
import { PRODUCTION_SETTINGS } from './processes.ts';

const args = process.argv.slice(2);
const port = Number(args[0] ?? 0);
const noCache = args.includes('--no-cache');
const logLevel = args.find((a) => a.startsWith('--log-level='))?.slice('--log-level='.length);

const production: SiteSettings = await loadSettings(['--settings', PRODUCTION_SETTINGS]);
const settings: SiteSettings = {
  ...production,
  host: '127.0.0.1',
  port,
  rateLimit: false,
  logLevel: (logLevel as SiteSettings['logLevel'] | undefined) ?? production.logLevel,
  apps: noCache ? production.apps.filter((a) => a.spec.name !== 'cache') : production.apps,
};

if (args.includes('--migrate')) {
  // `tessera migrate`: production never migrates while serving.
  const app = await createSite({ ...settings, logLevel: 'warn' });
  const applied = await migrate(app.tessera.orm);
  await app.close();
  process.send?.({ migrated: applied.length });
  process.exit(0);
}

const app = await createSite(settings);
await app.listen({ host: settings.host, port: settings.port });
process.send?.({ ready: true });

/** Every statement any pg client of this process sends, while counting. */
let counted = 0;
const query = pg.Client.prototype.query;

process.on('message', async (msg: { type: string; urls?: string[] }) => {
  if (msg.type === 'rss') {
    const m = process.memoryUsage();
    process.send?.({ type: 'rss', rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal });
  } else if (msg.type === 'queries') {
    // Counted at the driver, below MikroORM and the blog's prepared statements alike.
    pg.Client.prototype.query = function countedQuery(this: pg.Client, ...a: unknown[]) {
      counted += 1;
      return (query as (...x: unknown[]) => unknown).apply(this, a);
    } as typeof query;
    const out: { url: string; status: number; queries: number }[] = [];
    try {
      for (const url of msg.urls ?? []) {
        counted = 0;
        const res = await app.inject({ method: 'GET', url });
        out.push({ url, status: res.statusCode, queries: counted });
      }
    } finally {
      pg.Client.prototype.query = query;
    }
    process.send?.({ type: 'queries', results: out });
  }
});

process.once('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
