import type * as NodeCrypto from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TEST_MANAGERS, createTestSite, testServerUrl } from '../src/index.ts';
import { EchoMessage, echo } from './helpers.ts';

// Pass-through, so one test can choose the random part of a database name.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof NodeCrypto>();
  return { ...actual, randomBytes: vi.fn(actual.randomBytes) };
});
const crypto = await import('node:crypto');

async function databaseExists(name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: `${testServerUrl()}/postgres` });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    return rowCount === 1;
  } finally {
    await client.end();
  }
}

afterEach(() => vi.mocked(crypto.randomBytes).mockClear());

describe('createTestSite', () => {
  it('builds a migrated site on a database of its own, and drops it on close', async () => {
    const t = await createTestSite({ apps: [echo()] });
    const database = new URL(t.databaseUrl).pathname.slice(1);
    expect(database).toMatch(/^tessera_t_[0-9a-f]{12}$/);
    expect(t.databaseUrl).toBe(`${testServerUrl()}/${database}`);
    expect(await databaseExists(database)).toBe(true);
    expect(await t.em().count(EchoMessage, {})).toBe(0);
    expect(t.site.settings).toMatchObject({
      env: 'test',
      debug: false,
      logLevel: 'silent',
      mail: { transport: 'outbox', from: 'site@example.com', managers: TEST_MANAGERS },
      jobs: { run: 'manual' },
    });
    expect(t.site.jobs.runsIn).toBe('manual');
    expect(t.app.tessera).toBe(t.site);
    expect(t.outbox).toBe(t.site.mail.outbox);
    await t.close();
    expect(await databaseExists(database)).toBe(false);
  });

  it('takes settings, routes and mail settings from the test', async () => {
    const t = await createTestSite({
      apps: [echo()],
      routes: { mounts: { echo: '/e' } },
      settings: {
        siteName: 'Kit',
        mail: { managers: ['boss@example.com'] } as never,
        jobs: { concurrency: 3 },
      },
    });
    try {
      expect(t.site.settings.siteName).toBe('Kit');
      expect(t.site.settings.jobs).toMatchObject({ run: 'manual', concurrency: 3 });
      expect(t.site.settings.mail.managers).toEqual(['boss@example.com']);
      expect(t.site.settings.mail.transport).toBe('outbox');
      expect((await t.client().get('/e')).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('drops its database when the site fails to boot', async () => {
    const fixed = Buffer.from('5eed0f0b0075', 'hex');
    vi.mocked(crypto.randomBytes).mockImplementationOnce(() => fixed);
    await expect(createTestSite({ apps: [echo(), echo()] })).rejects.toThrow(
      "App 'echo' is installed twice.",
    );
    expect(await databaseExists('tessera_t_5eed0f0b0075')).toBe(false);
  });
});

describe('testServerUrl', () => {
  it('answers the server the global setup chose', () => {
    expect(testServerUrl()).toBe(process.env.TESSERA_TEST_SERVER_URL);
    expect(testServerUrl()).toMatch(/^postgres:\/\/[^/]+$/);
  });
});
