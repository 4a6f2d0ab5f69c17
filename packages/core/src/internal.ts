/**
 * @tessera/core/internal — for Tessera's own tools and test kit, not for apps or sites: the
 * database server's control (embedded PostgreSQL, scratch databases, probes), the boot's pure
 * steps, migrations and the CLI. What is here may change in any release.
 */
export { CORE_VERSION, checkCompatibility, coreApp, orderApps } from './boot.ts';
export {
  dropDatabase,
  ensureDatabase,
  freePort,
  LOCAL_SERVER_URL,
  scratchServer,
  serverAnswers,
  splitDatabaseUrl,
  startEmbedded,
} from './db/embedded.ts';
export type { EmbeddedServer } from './db/embedded.ts';
export {
  collectMigrations,
  makeMigration,
  migrate,
  pendingMigrations,
  schemaDrift,
  withDependencies,
} from './db/migrations.ts';
export { queryStats } from './db/orm.ts';
export { collectStatic } from './collectstatic.ts';
export { declaredJobs, jobsRunIn, queueOf } from './jobs/jobs.ts';
export { main as runCli, loadSettings } from './cli.ts';
