import type { CacheCounters, Engine, FillPolicy } from './engine.ts';

/** How long a value lives and what invalidates it. */
export interface CacheSetOptions {
  /** Seconds the value stays fresh (default: the cache's `defaultTtl`). */
  ttl?: number;
  /** Tags: `invalidateTags` with any of them voids the value. */
  tags?: string[];
  /** Seconds past `ttl` the stale value is still served by `wrap` while one caller recomputes it. */
  staleWhileRevalidate?: number;
}

/** The counters of a cache, plus which backend it uses and whether it is reachable now. */
export interface CacheStats extends CacheCounters {
  backend: 'memory' | 'redis';
  /** False during a Redis outage (the cache is bypassed). */
  available: boolean;
}

/** What a `Cache` view is built from. */
export interface CacheView {
  engine: Engine;
  /** `<keyPrefix>:<version>`. */
  base: string;
  /** The view's namespace under `base` (`d` for the site's own keys, `blog@0.2.0` for an app's). */
  namespace: string;
  defaultTtl: number;
  /** The installed version of an app, for `scope(name)`. */
  versionOf: (app: string) => string | undefined;
}

/**
 * The data API: `get`, `set`, `delete`, `wrap` (single flight, stale-while-revalidate) and
 * `invalidateTags`. `fastify.cache` is the site's; `fastify.cache.scope('blog')` is the blog's, whose
 * keys carry the blog's version so a deploy of a new version never reads the old one's entries.
 * Values are stored as JSON (in memory too), so what comes back is a copy.
 */
export class Cache {
  readonly #view: CacheView;
  readonly #prefix: string;

  constructor(view: CacheView) {
    this.#view = view;
    this.#prefix = `${view.base}:${view.namespace}:`;
  }

  /** The full store key of `key` in this view. */
  key(key: string): string {
    return this.#prefix + key;
  }

  /** The fresh value at `key`, or undefined. */
  async get<T>(key: string): Promise<T | undefined> {
    const found = await this.#view.engine.lookup<T>(this.key(key));
    if (found.state !== 'fresh') return undefined;
    this.#view.engine.counters.hits += 1;
    return found.value;
  }

  /** Stores `value` at `key`. */
  async set<T>(key: string, value: T, opts: CacheSetOptions = {}): Promise<void> {
    const engine = this.#view.engine;
    await engine.fill(this.key(key), value, this.#policy(opts), await engine.seq());
  }

  /** Drops the value at `key` (in every process). */
  async delete(key: string): Promise<void> {
    await this.#view.engine.remove([this.key(key)]);
  }

  /**
   * The value at `key`, computing and storing it when missing. Concurrent callers that miss the
   * same key share one computation (across processes too, with Redis); with
   * `staleWhileRevalidate`, a stale value is answered at once while one caller recomputes it.
   */
  async wrap<T>(
    key: string,
    compute: () => Promise<T> | T,
    opts: CacheSetOptions = {},
  ): Promise<T> {
    const engine = this.#view.engine;
    const full = this.key(key);
    const policy = this.#policy(opts);
    const found = await engine.lookup<T>(full);
    if (found.state === 'fresh') {
      engine.counters.hits += 1;
      return found.value;
    }
    const run = async (seq: number) => {
      const value = await compute();
      await engine.fill(full, value, policy, seq);
      return value;
    };
    if (found.state === 'stale') {
      engine.counters.stale += 1;
      engine.refresh<T>(full, found.seq, async (lease) => {
        const value = await run(lease.seq);
        lease.settle({ value });
      });
      return found.value;
    }
    return engine.once(full, found.seq, run);
  }

  /** Voids every value and page tagged with one of `tags` (in every process). */
  async invalidateTags(tags: readonly string[]): Promise<void> {
    await this.#view.engine.invalidate(tags);
  }

  /**
   * A view whose keys belong to an app and its version (`blog@0.2.0`); the version defaults to the
   * installed app's. Views share the store, the counters and the tags.
   */
  scope(app: string, version?: string): Cache {
    const v = version ?? this.#view.versionOf(app) ?? '0';
    return new Cache({ ...this.#view, namespace: `${app}@${v}` });
  }

  /** Hits, misses, stale serves, coalesced waits, invalidations and errors of this process. */
  stats(): CacheStats {
    const engine = this.#view.engine;
    return {
      backend: engine.store.kind,
      available: engine.store.available(),
      ...engine.counters,
    };
  }

  /** Waits for background refreshes to end (tests, shutdown). */
  drain(): Promise<void> {
    return this.#view.engine.drain();
  }

  /** Waits for background work, then closes the store's connections (the whole cache, every view). */
  close(): Promise<void> {
    return this.#view.engine.close();
  }

  #policy(opts: CacheSetOptions): FillPolicy {
    return {
      ttl: opts.ttl ?? this.#view.defaultTtl,
      staleWhileRevalidate: opts.staleWhileRevalidate ?? 0,
      tags: opts.tags ?? [],
    };
  }
}
