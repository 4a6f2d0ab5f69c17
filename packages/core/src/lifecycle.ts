// The site's lifetime: the database it runs on (DATABASE_URL, or an embedded PostgreSQL it
// starts itself), the one ORM built from every app's entities, the mailer, and the closing of
// all of them in reverse order — once, however the site stops (close, or a boot that fails).
import type { FastifyBaseLogger } from 'fastify';
import type { AppSpec, SiteSettings } from './contract.ts';
import { ensureDatabase, splitDatabaseUrl, startEmbedded } from './db/embedded.ts';
import { collectMigrations, migrate } from './db/migrations.ts';
import { openOrm, type MikroORM } from './db/orm.ts';
import { Mailer } from './mail.ts';

/** What the site runs on, and how to stop it. */
export interface Lifecycle {
  orm: MikroORM;
  mail: Mailer;
  /** The database server (without a database name), for scratch databases. */
  serverUrl: string;
  /** Runs `fn` when the site closes; the last added runs first. */
  onClose(fn: () => Promise<void> | void): void;
  /** Closes what was added, then the mailer, the ORM and the embedded server. Idempotent. */
  close(): Promise<void>;
}

/** Opens the database and the ORM (migrating first when asked), and the mailer. */
export async function openLifecycle(
  settings: SiteSettings,
  apps: readonly AppSpec[],
  log: FastifyBaseLogger,
  opts: { migrate?: boolean },
): Promise<Lifecycle> {
  let serverUrl: string;
  let database: string;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (settings.databaseUrl) {
    ({ serverUrl, database } = splitDatabaseUrl(settings.databaseUrl));
  } else {
    const embedded = await startEmbedded(settings.embeddedDir, { log: (m) => log.debug(m) });
    stopEmbedded = () => embedded.stop();
    serverUrl = embedded.serverUrl;
    database = 'tessera';
    await ensureDatabase(serverUrl, database);
  }
  const orm = await openOrm({
    clientUrl: `${serverUrl}/${database}`,
    entities: apps.flatMap((a) => a.entities ?? []),
    migrations: collectMigrations(apps),
    poolSize: settings.poolSize,
  }).catch(async (err: unknown) => {
    await stopEmbedded?.();
    throw err;
  });
  const mail = new Mailer(settings.mail.transport, settings.mail.from, log);
  const closers: (() => Promise<void> | void)[] = [];
  let closed = false;
  const lifecycle: Lifecycle = {
    orm,
    mail,
    serverUrl,
    onClose: (fn) => void closers.push(fn),
    async close() {
      if (closed) return;
      closed = true;
      for (const fn of closers.reverse()) await fn();
      mail.close();
      await orm.close(true);
      await stopEmbedded?.();
    },
  };
  if (opts.migrate) {
    try {
      const applied = await migrate(orm);
      if (applied.length) log.info({ applied }, `applied ${applied.length} migration(s)`);
    } catch (err) {
      await lifecycle.close();
      throw err;
    }
  }
  return lifecycle;
}
