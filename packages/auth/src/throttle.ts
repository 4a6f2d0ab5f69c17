import { createHmac } from 'node:crypto';
import type { EntityManager } from '@tessera/core';

/** Where a client stands against the sign-in limits: what `RateLimit-*` headers show. */
export interface ThrottleState {
  /** True when the next attempt is refused. */
  blocked: boolean;
  /** The limit that binds first (per account or per address). */
  limit: number;
  /** Attempts left before refusals. */
  remaining: number;
  /** Seconds until the binding counter starts afresh. */
  resetSeconds: number;
}

interface Row {
  scope: string;
  hits: number | string;
  reset: number | string;
}

const ACCOUNT = 'login-account';
const IP = 'login-ip';

/**
 * Failed sign-ins counted per account and per client address in PostgreSQL (`auth_throttle`), so
 * every process of the site sees the same counts. Keys are keyed hashes: the table never holds an
 * email someone mistyped or a client's address.
 */
export class LoginThrottle {
  readonly #perAccount: number;
  readonly #perIp: number;
  readonly #window: number;
  readonly #key: Buffer;

  constructor(opts: { perAccount: number; perIp: number; windowSeconds: number; key: Buffer }) {
    this.#perAccount = opts.perAccount;
    this.#perIp = opts.perIp;
    this.#window = opts.windowSeconds;
    this.#key = opts.key;
  }

  /** True when at least one limit is on. */
  get enabled(): boolean {
    return this.#perAccount > 0 || this.#perIp > 0;
  }

  /** Where `email` and `ip` stand, without counting anything (one query). */
  async check(em: EntityManager, email: string, ip: string): Promise<ThrottleState> {
    if (!this.enabled) return this.#state([]);
    const rows = await em.getConnection().execute<Row[]>(
      `select scope, hits, extract(epoch from window_started_at + make_interval(secs => ?) - now()) as reset
         from auth_throttle
        where ((scope = ? and key = ?) or (scope = ? and key = ?))
          and window_started_at > now() - make_interval(secs => ?)`,
      [this.#window, ACCOUNT, this.#hash(account(email)), IP, this.#hash(ip), this.#window],
    );
    return this.#state(rows);
  }

  /** Counts one failure against both keys (one statement) and answers the new standing. */
  async fail(em: EntityManager, email: string, ip: string): Promise<ThrottleState> {
    if (!this.enabled) return this.#state([]);
    const rows = await em.getConnection().execute<Row[]>(
      `insert into auth_throttle as t (scope, key, hits, window_started_at)
            values (?, ?, 1, now()), (?, ?, 1, now())
       on conflict (scope, key) do update set
            hits = case when t.window_started_at > now() - make_interval(secs => ?) then t.hits + 1 else 1 end,
            window_started_at = case when t.window_started_at > now() - make_interval(secs => ?) then t.window_started_at else now() end
       returning scope, hits, extract(epoch from window_started_at + make_interval(secs => ?) - now()) as reset`,
      [
        ACCOUNT,
        this.#hash(account(email)),
        IP,
        this.#hash(ip),
        this.#window,
        this.#window,
        this.#window,
      ],
    );
    return this.#state(rows);
  }

  /**
   * Forgets the account's failures after a successful sign-in. The address's count stays until
   * its window ends, so signing in to one's own account cannot launder guesses at others.
   */
  async succeed(em: EntityManager, email: string): Promise<void> {
    if (!this.enabled) return;
    await em
      .getConnection()
      .execute('delete from auth_throttle where scope = ? and key = ?', [
        ACCOUNT,
        this.#hash(account(email)),
      ]);
  }

  #hash(value: string): string {
    return createHmac('sha256', this.#key).update(value).digest('hex');
  }

  #state(rows: Row[]): ThrottleState {
    const limits: { max: number; hits: number; reset: number }[] = [];
    for (const [scope, max] of [
      [ACCOUNT, this.#perAccount],
      [IP, this.#perIp],
    ] as const) {
      if (max <= 0) continue;
      const row = rows.find((r) => r.scope === scope);
      limits.push({
        max,
        hits: row ? Number(row.hits) : 0,
        reset: row ? Math.max(1, Math.ceil(Number(row.reset))) : this.#window,
      });
    }
    if (!limits.length) return { blocked: false, limit: 0, remaining: 0, resetSeconds: 0 };
    const binding = limits.reduce((a, b) =>
      b.max - b.hits < a.max - a.hits || (b.max - b.hits === a.max - a.hits && b.reset > a.reset)
        ? b
        : a,
    );
    const remaining = Math.max(0, binding.max - binding.hits);
    return { blocked: remaining === 0, limit: binding.max, remaining, resetSeconds: binding.reset };
  }
}

function account(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * A store for @fastify/rate-limit in the same table, so its coarse per-address limit holds across
 * processes. Every route shares one counter per address (`child` answers the same store).
 */
export class PostgresRateLimitStore {
  readonly #em: () => EntityManager;
  readonly #key: Buffer;

  constructor(em: () => EntityManager, key: Buffer) {
    this.#em = em;
    this.#key = key;
  }

  incr(
    key: string,
    callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
    timeWindow: number,
  ): void {
    const secs = timeWindow / 1000;
    this.#em()
      .getConnection()
      .execute<{ hits: number | string; ttl: number | string }[]>(
        `insert into auth_throttle as t (scope, key, hits, window_started_at) values ('post-ip', ?, 1, now())
         on conflict (scope, key) do update set
              hits = case when t.window_started_at > now() - make_interval(secs => ?) then t.hits + 1 else 1 end,
              window_started_at = case when t.window_started_at > now() - make_interval(secs => ?) then t.window_started_at else now() end
         returning hits, extract(epoch from window_started_at + make_interval(secs => ?) - now()) * 1000 as ttl`,
        [createHmac('sha256', this.#key).update(key).digest('hex'), secs, secs, secs],
      )
      .then(
        ([row]) =>
          callback(null, { current: Number(row!.hits), ttl: Math.max(0, Number(row!.ttl)) }),
        (err: Error) => callback(err),
      );
  }

  child(): PostgresRateLimitStore {
    return this;
  }
}

/** Deletes counters whose window ended more than `olderThanSeconds` ago; answers how many. */
export async function pruneThrottle(em: EntityManager, olderThanSeconds: number): Promise<number> {
  const res = await em
    .getConnection()
    .execute(
      'delete from auth_throttle where window_started_at < now() - make_interval(secs => ?)',
      [olderThanSeconds],
      'run',
    );
  return (res as { affectedRows?: number }).affectedRows ?? 0;
}
