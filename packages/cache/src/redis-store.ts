import type { Redis } from 'ioredis';
import { RedisLink } from './redis-link.ts';
import type { CacheLogger, CacheStore } from './store.ts';

// Takes the next sequence number and stamps it on every tag, atomically.
const INVALIDATE = `local s = redis.call('INCR', KEYS[1])
for i = 2, #KEYS do redis.call('SET', KEYS[i], s) end
return s`;

// Deletes the lock only if this process still holds it.
const UNLOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Where the Redis backend keeps its entries and how it reaches them. */
export interface RedisStoreOptions {
  url: string;
  /** `<keyPrefix>:<version>`: the sequence, tags and locks live under `<base>:_:`. */
  base: string;
  log: CacheLogger;
  timeoutMs: number;
}

/**
 * Entries in Redis, shared by every process. Tag stamps and the sequence carry no expiry, so an
 * eviction policy of `volatile-*` (which only evicts keys with a TTL, i.e. entries) never drops
 * them. Invalidations and deletes that cannot reach Redis are kept and sent first when it returns;
 * until then the cache stays bypassed.
 */
export class RedisStore implements CacheStore {
  readonly kind = 'redis';
  readonly link: RedisLink;
  readonly #seqKey: string;
  readonly #internal: string;
  readonly #pendingTags = new Set<string>();
  readonly #pendingKeys = new Set<string>();
  #flushing: Promise<void> | undefined;

  constructor(opts: RedisStoreOptions) {
    this.#internal = `${opts.base}:_:`;
    this.#seqKey = `${this.#internal}seq`;
    this.link = new RedisLink({
      url: opts.url,
      log: opts.log,
      timeoutMs: opts.timeoutMs,
      onReady: (client) => this.#flush(client),
    });
  }

  available(): boolean {
    if (!this.link.available()) return false;
    if (this.#pendingTags.size || this.#pendingKeys.size) {
      if (!this.#flushing)
        this.#flushing = this.link
          .run((client) => this.#flush(client))
          .catch(() => {})
          .finally(() => (this.#flushing = undefined));
      return false;
    }
    return true;
  }

  async read(key: string): Promise<{ raw: string | undefined; seq: number }> {
    const [raw, seq] = await this.link.run((c) => c.mget(key, this.#seqKey));
    return { raw: raw ?? undefined, seq: Number(seq ?? 0) };
  }

  async seq(): Promise<number> {
    return Number((await this.link.run((c) => c.get(this.#seqKey))) ?? 0);
  }

  async tagSeqs(tags: readonly string[]): Promise<number[]> {
    const values = await this.link.run((c) => c.mget(...tags.map((t) => this.#tagKey(t))));
    return values.map((v) => Number(v ?? 0));
  }

  async write(key: string, raw: string, ttlMs: number): Promise<void> {
    await this.link.run((c) => c.set(key, raw, 'PX', Math.max(1, Math.ceil(ttlMs))));
  }

  async remove(keys: readonly string[]): Promise<void> {
    try {
      await this.link.run((c) => c.del(...keys));
    } catch {
      for (const k of keys) this.#pendingKeys.add(k);
    }
  }

  async invalidate(tags: readonly string[]): Promise<void> {
    try {
      await this.link.run((c) => this.#stamp(c, tags));
    } catch {
      for (const t of tags) this.#pendingTags.add(t);
    }
  }

  async lock(key: string, token: string, ttlMs: number): Promise<boolean> {
    const answer = await this.link.run((c) => c.set(this.#lockKey(key), token, 'PX', ttlMs, 'NX'));
    return answer === 'OK';
  }

  async locked(key: string): Promise<boolean> {
    return (await this.link.run((c) => c.exists(this.#lockKey(key)))) === 1;
  }

  async unlock(key: string, token: string): Promise<void> {
    await this.link.run((c) => c.eval(UNLOCK, 1, this.#lockKey(key), token));
  }

  async close(): Promise<void> {
    await this.link.close();
  }

  async #flush(client: Redis): Promise<void> {
    const tags = [...this.#pendingTags];
    const keys = [...this.#pendingKeys];
    if (tags.length) await this.#stamp(client, tags);
    if (keys.length) await client.del(...keys);
    for (const t of tags) this.#pendingTags.delete(t);
    for (const k of keys) this.#pendingKeys.delete(k);
  }

  #stamp(client: Redis, tags: readonly string[]): Promise<unknown> {
    return client.eval(
      INVALIDATE,
      tags.length + 1,
      this.#seqKey,
      ...tags.map((t) => this.#tagKey(t)),
    );
  }

  #tagKey(tag: string): string {
    return `${this.#internal}tag:${tag}`;
  }

  #lockKey(key: string): string {
    return `${this.#internal}lock:${key}`;
  }
}
