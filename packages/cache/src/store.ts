/**
 * What the cache engine asks of a backend. Keys are full keys (`<prefix>:<version>:…`); values are
 * serialised entries. Tags are invalidated by sequence number: each invalidation takes the next
 * number of a site-wide sequence and stamps it on its tags; an entry remembers the sequence number
 * read before its value was computed, and is void once any of its tags carries a higher one. So an
 * invalidation that lands while a page is being computed voids that page too — no stale write wins.
 */
export interface CacheStore {
  /** `memory` or `redis`. */
  readonly kind: 'memory' | 'redis';
  /** False while the store (or the channel it relies on) is unreachable: the cache is then bypassed. */
  available(): boolean;
  /** The serialised entry at `key`, and the invalidation sequence number now. */
  read(key: string): Promise<{ raw: string | undefined; seq: number }>;
  /** The invalidation sequence number now. */
  seq(): Promise<number>;
  /** The sequence number of each tag's last invalidation (0 for never). */
  tagSeqs(tags: readonly string[]): Promise<number[]>;
  /** Stores a serialised entry for `ttlMs`. */
  write(key: string, raw: string, ttlMs: number): Promise<void>;
  /** Drops entries; kept and retried when the store is unreachable. */
  remove(keys: readonly string[]): Promise<void>;
  /** Voids every entry tagged with one of `tags`; kept and retried when the store is unreachable. */
  invalidate(tags: readonly string[]): Promise<void>;
  /** Takes the fill lock of `key` for `ttlMs`: false when another process holds it. */
  lock(key: string, token: string, ttlMs: number): Promise<boolean>;
  /** True while some process holds the fill lock of `key`. */
  locked(key: string): Promise<boolean>;
  /** Gives the fill lock back (only if `token` still holds it). */
  unlock(key: string, token: string): Promise<void>;
  close(): Promise<void>;
}

/** The part of a logger the cache uses (a Fastify/pino logger fits). */
export interface CacheLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}
