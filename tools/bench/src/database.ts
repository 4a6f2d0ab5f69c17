// The PostgreSQL a bench or soak run uses: a server on loopback only (TESSERA_BENCH_SERVER_URL,
// default postgres://postgres@127.0.0.1:5432), where a run drops and recreates one database of
// its own, and nothing else.
import pg from 'pg';

/** The server's URL (no database), refusing anything but loopback. */
export function benchServerUrl(): string {
  const url = (
    process.env.TESSERA_BENCH_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432'
  ).replace(/\/+$/, '');
  const host = new URL(url).hostname;
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(host)) {
    throw new Error(`The bench only uses a PostgreSQL on loopback, not ${host}.`);
  }
  return url;
}

/** Runs `fn` on a connection to the server's `postgres` database. */
export async function admin<T>(
  serverUrl: string,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `PostgreSQL does not answer at ${serverUrl} (${(err as Error).message}). Start it, or set TESSERA_BENCH_SERVER_URL.`,
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database `name` (dropped with everything in it first). */
export async function recreateDatabase(serverUrl: string, name: string): Promise<void> {
  await admin(serverUrl, async (c) => {
    await c.query(`drop database if exists ${name} with (force)`);
    await c.query(`create database ${name}`);
  });
}

/** Drops database `name` (a seeded database is large, on a server others may share). */
export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await admin(serverUrl, (c) => c.query(`drop database if exists ${name} with (force)`));
}
