import { AsyncLocalStorage } from 'node:async_hooks';
import { DefaultLogger, type LogContext, type LoggerOptions } from '@mikro-orm/core';
import { MikroORM, defineConfig, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { MigrationObject } from '@mikro-orm/core';

/** Queries run inside one request (or one `countQueries` call). */
export interface QueryStats {
  count: number;
  ms: number;
}

/** Per-request query statistics, kept in async context (no globals shared between requests). */
export const queryStats = new AsyncLocalStorage<QueryStats>();

/** MikroORM's logger, plus a count of every query into the current async context. */
class CountingLogger extends DefaultLogger {
  override logQuery(context: LogContext): void {
    const stats = queryStats.getStore();
    if (stats) {
      stats.count += 1;
      stats.ms += context.took ?? 0;
    }
    super.logQuery(context as LogContext & { query: string });
  }
}

/** Runs `fn` and answers how many SQL queries it made (tests: "a list page costs N queries"). */
export async function countQueries<T>(
  fn: () => Promise<T>,
): Promise<{ result: T; queries: number }> {
  const stats: QueryStats = { count: 0, ms: 0 };
  const result = await queryStats.run(stats, fn);
  return { result, queries: stats.count };
}

/** Builds the one MikroORM of a site from the installed apps' entities and migrations. */
export async function openOrm(opts: {
  clientUrl: string;
  entities: unknown[];
  migrations: MigrationObject[];
  poolSize: number;
  debug?: boolean;
  extra?: Partial<Options>;
}): Promise<MikroORM> {
  return MikroORM.init(
    defineConfig({
      clientUrl: opts.clientUrl,
      entities: opts.entities as never,
      extensions: [Migrator],
      pool: { min: 0, max: opts.poolSize },
      debug: opts.debug ?? false,
      loggerFactory: (o: LoggerOptions) => new CountingLogger(o),
      allowGlobalContext: false,
      ensureDatabase: false,
      schemaGenerator: { ignoreSchema: ['pgboss'] },
      migrations: {
        migrationsList: opts.migrations,
        tableName: 'tessera_migrations',
        transactional: true,
        allOrNothing: true,
        snapshot: false,
        silent: true,
      },
      ...opts.extra,
    }),
  );
}

export { MikroORM };
