import { createHmac } from 'node:crypto';
import type {
  FastifyRateLimitStore,
  FastifyRateLimitStoreCtor,
  RateLimitOptions,
} from '@fastify/rate-limit';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';

/** What the store needs of a site: its database and its secret (a `SiteContext` has both). */
export interface RateLimitSite {
  orm: MikroORM;
  settings: { secretKey: string };
}

/** One counter's standing, as @fastify/rate-limit's stores answer it. */
export interface RateLimitCount {
  /** Hits in the current window (0 when none). */
  current: number;
  /** Milliseconds until the window ends (0 when none). */
  ttl: number;
}

/** How a window grows once the limit is passed: @fastify/rate-limit's options of the same names. */
export interface RateLimitWindowOptions {
  /** Every hit past the limit starts the window again. */
  continueExceeding?: boolean;
  /** Every hit past the limit doubles the window. */
  exponentialBackoff?: boolean;
}

type Callback = (error: Error | null, result?: RateLimitCount) => void;

interface Row {
  key: string;
  hits: number | string;
  ttl: number | string;
}

/** The longest window exponential back-off may reach (PostgreSQL's intervals have an end). */
const MAX_WINDOW_SECONDS = 2 ** 31 - 1;
const NAMESPACE = /^[a-z][a-z0-9-]*(:[a-z0-9-]+)*$/;
/** A counter's milliseconds left, as a number. */
const TTL = 'greatest(0, ceil(extract(epoch from expires_at - now()) * 1000))::float8 as ttl';

/**
 * @fastify/rate-limit's store in PostgreSQL (`core_rate_limit`), so every process of a site counts
 * against the same limits (its local and Redis stores, side by side). Counts are kept per
 * namespace — one limit of one app, `'contact-form:submit'` — and key; the key is stored as an
 * HMAC keyed with the site's secret, so no address or email ever reaches the table.
 *
 * Every route a store serves shares its count per key (`child` keeps the namespace): a limit on
 * several routes is one limit. Give routes that must count apart a namespace each.
 *
 * Plug it into the plugin with `rateLimitStore(site, namespace)`; use it directly (`hit`, `peek`,
 * `reset`) for limits that count only some outcomes, such as failed sign-ins.
 */
export class PostgresRateLimitStore implements FastifyRateLimitStore {
  readonly #site: RateLimitSite;
  readonly #namespace: string;
  readonly #secret: Buffer;
  readonly #window: RateLimitWindowOptions;

  constructor(site: RateLimitSite, namespace: string, options: RateLimitWindowOptions = {}) {
    if (!NAMESPACE.test(namespace) || namespace.length > 100)
      throw new TypeError(
        `Rate limit namespace '${namespace}' must look like '<app>:<limit>' (lower case, at most 100 characters).`,
      );
    this.#site = site;
    this.#namespace = namespace;
    this.#secret = createHmac('sha256', site.settings.secretKey)
      .update('tessera.core.rate-limit')
      .digest();
    this.#window = {
      continueExceeding: options.continueExceeding === true,
      exponentialBackoff: options.exponentialBackoff === true,
    };
  }

  /** The limit these counters belong to. */
  get namespace(): string {
    return this.#namespace;
  }

  /**
   * Counts one hit for each of `keys` (one statement) and answers their standings, in order. A
   * window starts at a key's first hit and lasts `timeWindowMs`; `max` matters only with
   * `continueExceeding` or `exponentialBackoff`.
   */
  async hit(
    keys: readonly string[],
    timeWindowMs: number,
    max?: number,
  ): Promise<RateLimitCount[]> {
    const hashes = keys.map((k) => this.#hash(k));
    const unique = [...new Set(hashes)];
    if (!unique.length) return [];
    const secs = timeWindowMs / 1000;
    const limit = max ?? null;
    const rows = await this.#execute(
      `insert into core_rate_limit as r (namespace, key, hits, expires_at)
       values ${unique.map(() => '(?, ?, 1, now() + make_interval(secs => ?))').join(', ')}
       on conflict (namespace, key) do update set
         hits = case when r.expires_at <= now() then 1 else r.hits + 1 end,
         expires_at = case
           when r.expires_at <= now() then excluded.expires_at
           when r.hits + 1 > ? and ? then excluded.expires_at
           when r.hits + 1 > ? and ? then now() + make_interval(secs => least(? * power(2, r.hits - ?), ?))
           else r.expires_at end
       returning key, hits, ${TTL}`,
      [
        ...unique.flatMap((h) => [this.#namespace, h, secs]),
        limit,
        this.#window.continueExceeding,
        limit,
        this.#window.exponentialBackoff,
        secs,
        limit,
        MAX_WINDOW_SECONDS,
      ],
    );
    return this.#answer(hashes, rows);
  }

  /** The standings of `keys` without counting anything (one query); unknown keys answer zeros. */
  async peek(keys: readonly string[]): Promise<RateLimitCount[]> {
    const hashes = keys.map((k) => this.#hash(k));
    if (!hashes.length) return [];
    const rows = await this.#execute(
      `select key, hits, ${TTL} from core_rate_limit
        where namespace = ? and key in (${hashes.map(() => '?').join(', ')}) and expires_at > now()`,
      [this.#namespace, ...hashes],
    );
    return this.#answer(hashes, rows);
  }

  /** Forgets the counts of `keys` (a successful sign-in forgets the failures before it). */
  async reset(keys: readonly string[]): Promise<void> {
    if (!keys.length) return;
    await this.#execute(
      `delete from core_rate_limit where namespace = ? and key in (${keys.map(() => '?').join(', ')})`,
      [this.#namespace, ...keys.map((k) => this.#hash(k))],
    );
  }

  /** @fastify/rate-limit: counts a request. */
  incr(key: string, callback: Callback, timeWindow: number, max?: number): void {
    this.hit([key], timeWindow, max).then(([count]) => callback(null, count), callback);
  }

  /** @fastify/rate-limit: where a key stands, without counting (`createRateLimit` with `increment: false`). */
  read(key: string, callback: Callback): void {
    this.peek([key]).then(([count]) => callback(null, count), callback);
  }

  /** @fastify/rate-limit: the store for one route — same counters, that route's window options. */
  child(routeOptions: Parameters<FastifyRateLimitStore['child']>[0]): PostgresRateLimitStore {
    return new PostgresRateLimitStore(
      this.#site,
      this.#namespace,
      routeOptions as unknown as RateLimitWindowOptions,
    );
  }

  #hash(key: string): string {
    return createHmac('sha256', this.#secret)
      .update(`${this.#namespace}\u0000${key}`)
      .digest('hex');
  }

  #execute(sql: string, params: unknown[]): Promise<Row[]> {
    // The site's own connection, not a request's transaction: a count must stand even when the
    // request's work is rolled back.
    return this.#site.orm.em.getConnection().execute<Row[]>(sql, params);
  }

  #answer(hashes: readonly string[], rows: Row[]): RateLimitCount[] {
    const byKey = new Map(rows.map((r) => [r.key, r]));
    return hashes.map((h) => {
      const row = byKey.get(h);
      return row ? { current: Number(row.hits), ttl: Number(row.ttl) } : { current: 0, ttl: 0 };
    });
  }
}

/**
 * A `store` for @fastify/rate-limit counting in `namespace` on the site's database:
 * `app.register(rateLimit, { global: false, store: rateLimitStore(site, 'contact-form:submit') })`.
 * The plugin's `continueExceeding` and `exponentialBackoff` options apply.
 */
export function rateLimitStore(site: RateLimitSite, namespace: string): FastifyRateLimitStoreCtor {
  return class SiteRateLimitStore extends PostgresRateLimitStore {
    constructor(options: object) {
      super(site, namespace, options as RateLimitOptions);
    }
  };
}

/**
 * Deletes every counter whose window has ended, whatever its namespace; answers how many. Safe
 * at any time (a live window is never touched); a site runs it now and then.
 */
export async function pruneRateLimits(em: EntityManager): Promise<number> {
  const res = await em
    .getConnection()
    .execute('delete from core_rate_limit where expires_at <= now()', [], 'run');
  return (res as { affectedRows?: number }).affectedRows ?? 0;
}
