import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestProject } from 'vitest/node';
import { setup, teardown } from '../src/global-setup.ts';

const KEYS = [
  'TESSERA_TEST_DATABASE_URL',
  'DATABASE_URL',
  'TESSERA_TEST_EMBEDDED',
  'TESSERA_TEST_SERVER_URL',
] as const;

/** A project that records what the setup provides to test files. */
function project(): { project: TestProject; provided: Record<string, unknown> } {
  const provided: Record<string, unknown> = {};
  const fake = { provide: (key: string, value: unknown) => (provided[key] = value) };
  return { project: fake as unknown as TestProject, provided };
}

async function answers(serverUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  client.on('error', () => {});
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

describe('the global setup', () => {
  const saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]));
  beforeEach(() => {
    for (const k of KEYS) delete process.env[k];
  });
  afterEach(() => {
    for (const k of KEYS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  it('uses TESSERA_TEST_DATABASE_URL’s server when it is set', async () => {
    process.env.TESSERA_TEST_DATABASE_URL = 'postgres://u:p@127.0.0.1:5999/anything';
    process.env.DATABASE_URL = 'postgres://other@127.0.0.1:5998/db';
    const { project: p, provided } = project();
    await setup(p);
    expect(provided.tesseraServerUrl).toBe('postgres://u:p@127.0.0.1:5999');
    expect(process.env.TESSERA_TEST_SERVER_URL).toBe('postgres://u:p@127.0.0.1:5999');
    await teardown();
  });

  it('else DATABASE_URL’s server', async () => {
    process.env.DATABASE_URL = 'postgres://other@127.0.0.1:5998/db';
    const { project: p, provided } = project();
    await setup(p);
    expect(provided.tesseraServerUrl).toBe('postgres://other@127.0.0.1:5998');
    await teardown();
  });

  it('else the local service when it answers', async () => {
    const { project: p, provided } = project();
    await setup(p);
    expect(provided.tesseraServerUrl).toBe('postgres://postgres@127.0.0.1:5432');
    await teardown();
  });

  it('else starts an embedded PostgreSQL for the run, and stops it after', async () => {
    process.env.TESSERA_TEST_EMBEDDED = '1';
    const { project: p, provided } = project();
    await setup(p);
    const serverUrl = provided.tesseraServerUrl as string;
    try {
      expect(serverUrl).toMatch(/^postgres:\/\/postgres:tessera@127\.0\.0\.1:\d+$/);
      expect(await answers(serverUrl)).toBe(true);
    } finally {
      await teardown();
    }
    expect(await answers(serverUrl)).toBe(false);
  });
});
