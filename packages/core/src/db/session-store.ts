import type { MikroORM } from '@mikro-orm/postgresql';
import type { SessionStore } from '@fastify/session';

import type { Session } from 'fastify';

type Callback = (err?: unknown) => void;
type GetCallback = (err: unknown, result?: Session | null) => void;

/** @fastify/session's store, in PostgreSQL (`core_session`), so every process sees every session. */
export class PostgresSessionStore implements SessionStore {
  readonly #orm: MikroORM;
  readonly #maxAgeMs: number;

  constructor(orm: MikroORM, maxAgeSeconds: number) {
    this.#orm = orm;
    this.#maxAgeMs = maxAgeSeconds * 1000;
  }

  get #conn() {
    return this.#orm.em.getConnection();
  }

  set(sid: string, session: unknown, callback: Callback): void {
    const data = JSON.parse(JSON.stringify(session)) as { cookie?: { expires?: string } };
    const expires = data.cookie?.expires
      ? new Date(data.cookie.expires)
      : new Date(Date.now() + this.#maxAgeMs);
    this.#conn
      .execute(
        'insert into core_session (sid, data, expires_at) values (?, ?, ?) on conflict (sid) do update set data = excluded.data, expires_at = excluded.expires_at',
        [sid, JSON.stringify(data), expires],
      )
      .then(() => callback(), callback);
  }

  get(sid: string, callback: GetCallback): void {
    this.#conn
      .execute<{ data: unknown }[]>(
        'select data from core_session where sid = ? and expires_at > now()',
        [sid],
      )
      .then(
        (rows) => callback(undefined, (rows[0]?.data as Session | undefined) ?? null),
        callback,
      );
  }

  destroy(sid: string, callback: Callback): void {
    this.#conn
      .execute('delete from core_session where sid = ?', [sid])
      .then(() => callback(), callback);
  }

  /** Removes expired sessions; answers how many. */
  async prune(): Promise<number> {
    const res = await this.#conn.execute(
      'delete from core_session where expires_at <= now()',
      [],
      'run',
    );
    return (res as { affectedRows?: number }).affectedRows ?? 0;
  }
}
