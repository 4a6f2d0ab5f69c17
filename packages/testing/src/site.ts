import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import {
  createSite,
  defineSettings,
  type EntityManager,
  type InstalledApp,
  type SentMail,
  type SettingsInput,
  type SiteContext,
  type SiteRoutes,
} from '@tessera/core';
import { dropDatabase, ensureDatabase } from '@tessera/core/internal';
import { TestClient } from './client.ts';
import './provided.ts';

/** A secret long enough for sessions; only ever used in tests. */
export const TEST_SECRET_KEY = 'test-secret-key-that-is-long-enough-for-sessions';
/** Who receives site mail in tests. */
export const TEST_MANAGERS = ['managers@example.com'];

/** A site for one test file, on its own fresh database. */
export interface TestSite {
  app: FastifyInstance;
  site: SiteContext;
  /** A new client with an empty cookie jar. */
  client(): TestClient;
  /** Every message the site sent, oldest first. */
  outbox: SentMail[];
  /** A fresh EntityManager for assertions. */
  em(): EntityManager;
  /** The database URL of this site (for a second process in a test). */
  databaseUrl: string;
  close(): Promise<void>;
}

/** What `createTestSite` takes: the apps, and any settings to change. */
export interface TestSiteOptions {
  apps: InstalledApp[];
  routes?: Partial<SiteRoutes>;
  settings?: Partial<SettingsInput>;
}

/** The PostgreSQL server tests run on (from the global setup, or the environment). */
export function testServerUrl(): string {
  try {
    return inject('tesseraServerUrl');
  } catch {
    const url = process.env.TESSERA_TEST_SERVER_URL;
    if (!url)
      throw new Error('No test database server: run tests through vitest with the Tessera preset.');
    return url;
  }
}

/**
 * Builds a site on a database of its own (created, migrated, and dropped on `close`), with mail
 * going to an in-memory outbox, jobs run only by `site.jobs.drain()`, and logs silenced.
 */
export async function createTestSite(opts: TestSiteOptions): Promise<TestSite> {
  const serverUrl = testServerUrl();
  const database = `tessera_t_${randomBytes(6).toString('hex')}`;
  await ensureDatabase(serverUrl, database);
  const databaseUrl = `${serverUrl}/${database}`;
  const settings = defineSettings({
    env: 'test',
    debug: false,
    secretKey: TEST_SECRET_KEY,
    logLevel: 'silent',
    poolSize: 5,
    ...opts.settings,
    apps: opts.apps,
    routes: { mounts: {}, ...opts.routes },
    databaseUrl,
    mail: {
      transport: 'outbox',
      from: 'site@example.com',
      managers: TEST_MANAGERS,
      ...opts.settings?.mail,
    },
    // Jobs run when the test drains them, never in the background: no test waits on timing.
    jobs: { run: 'manual', ...opts.settings?.jobs },
  });
  let app: FastifyInstance;
  try {
    app = await createSite(settings, { migrate: true });
  } catch (err) {
    await dropDatabase(serverUrl, database);
    throw err;
  }
  const site = app.tessera;
  return {
    app,
    site,
    client: () => new TestClient(app),
    outbox: site.mail.outbox,
    em: () => site.orm.em.fork(),
    databaseUrl,
    close: async () => {
      await app.close();
      await dropDatabase(serverUrl, database);
    },
  };
}
