import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_SECRET_KEY } from '@tessera/testing';
import { createSite, defineSettings } from '../src/index.ts';
import { freePort, scratchServer, splitDatabaseUrl, startEmbedded } from '../src/internal.ts';
import { notes } from './helpers.ts';

/** True when a PostgreSQL server answers at `serverUrl`. */
async function answers(serverUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

describe('a site without DATABASE_URL', () => {
  const root = mkdtempSync(join(tmpdir(), 'tessera-embedded-'));
  const dataDir = join(root, 'postgres');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('starts an embedded PostgreSQL, serves from it, and stops it on close', async () => {
    const app = await createSite(
      defineSettings({
        apps: [notes()],
        routes: { mounts: { notes: '/notes' } },
        secretKey: TEST_SECRET_KEY,
        embeddedDir: dataDir,
        logLevel: 'silent',
        mail: { transport: 'outbox', from: 'site@example.com', managers: [] },
      }),
      { migrate: true },
    );
    const port = readFileSync(join(root, 'postgres.port'), 'utf8').trim();
    const serverUrl = app.tessera.serverUrl;
    try {
      expect(serverUrl).toBe(`postgres://postgres:tessera@127.0.0.1:${port}`);
      const csrf = await app.inject({ url: '/csrf-token' });
      const cookie = csrf.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
      const created = await app.inject({
        method: 'POST',
        url: '/notes/new',
        headers: { cookie, 'x-csrf-token': csrf.json().token },
        payload: { title: 'Embedded', body: '' },
      });
      // A JSON client is told where a browser would go next.
      expect(created.json()).toEqual({ redirect: '/notes' });
      const list = await app.inject({ url: '/notes' });
      expect(list.body).toContain('Embedded');

      // A second process of the same site joins the running server instead of starting one.
      const joined = await startEmbedded(dataDir);
      expect(joined.serverUrl).toBe(serverUrl);
      await joined.stop();
      expect(await answers(serverUrl)).toBe(true);
      // As root, the 0700 temp folder was opened for the postgres user to traverse, nothing more.
      expect(statSync(root).mode & 0o777).toBe(process.getuid?.() === 0 ? 0o711 : 0o700);
    } finally {
      await app.close();
    }
    expect(await answers(serverUrl)).toBe(false);
  });

  it('keeps its data: the next start finds the notes written before', async () => {
    const again = await startEmbedded(dataDir);
    try {
      const client = new pg.Client({ connectionString: `${again.serverUrl}/tessera` });
      await client.connect();
      const { rows } = await client.query('select title from notes_note');
      await client.end();
      expect(rows).toEqual([{ title: 'Embedded' }]);
    } finally {
      await again.stop();
    }
  });
});

describe('database helpers', () => {
  it('splitDatabaseUrl separates the server from the database name', () => {
    expect(splitDatabaseUrl('postgres://u:p@127.0.0.1:5433/my%20db?sslmode=disable')).toEqual({
      serverUrl: 'postgres://u:p@127.0.0.1:5433',
      database: 'my db',
    });
    expect(splitDatabaseUrl('postgres://127.0.0.1').database).toBe('postgres');
  });

  it('freePort answers a port nothing listens on', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(await answers(`postgres://postgres@127.0.0.1:${port}`)).toBe(false);
  });
});

describe("a scratch server (a test run, an app's migration diff)", () => {
  it('is the server of a configured database URL, with nothing of its own to stop', async () => {
    const server = await scratchServer('postgres://app:secret@db.example.com:6543/mysite?ssl=true');
    expect(server.serverUrl).toBe('postgres://app:secret@db.example.com:6543');
    await server.stop();
  });

  it('with embedded: true is a PostgreSQL of its own, which stop() ends', async () => {
    const server = await scratchServer(undefined, { embedded: true });
    expect(await answers(server.serverUrl)).toBe(true);
    await server.stop();
    expect(await answers(server.serverUrl)).toBe(false);
  });
});
