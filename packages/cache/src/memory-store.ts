import { LRUCache } from 'lru-cache';
import type { Broadcast, BroadcastMessage } from './broadcast.ts';
import type { CacheStore } from './store.ts';

/** How the memory backend is bounded, and the channel it shares invalidations on (if any). */
export interface MemoryStoreOptions {
  maxEntries: number;
  maxBytes: number;
  /** With several processes: invalidations are broadcast to, and received from, the others. */
  broadcast?: Broadcast;
}

/**
 * Entries in this process's memory (lru-cache), bounded by count and size. Alone it is right for
 * one process; with a broadcast channel every process drops what another invalidated, and while
 * the channel is down the cache is bypassed (an invalidation could be missed).
 */
export class MemoryStore implements CacheStore {
  readonly kind = 'memory';
  readonly #lru: LRUCache<string, string>;
  readonly #tags = new Map<string, number>();
  readonly #broadcast: Broadcast | undefined;
  #seq = 0;

  constructor(opts: MemoryStoreOptions) {
    this.#lru = new LRUCache<string, string>({
      max: opts.maxEntries,
      maxSize: opts.maxBytes,
      sizeCalculation: (value, key) => value.length + key.length,
    });
    this.#broadcast = opts.broadcast;
    this.#broadcast?.listen({
      message: (msg) => this.#apply(msg),
      // Messages may have been missed while the channel was down: start afresh.
      resync: () => this.#lru.clear(),
    });
  }

  available(): boolean {
    return this.#broadcast?.available() ?? true;
  }

  async read(key: string): Promise<{ raw: string | undefined; seq: number }> {
    return { raw: this.#lru.get(key), seq: this.#seq };
  }

  async seq(): Promise<number> {
    return this.#seq;
  }

  async tagSeqs(tags: readonly string[]): Promise<number[]> {
    return tags.map((t) => this.#tags.get(t) ?? 0);
  }

  async write(key: string, raw: string, ttlMs: number): Promise<void> {
    this.#lru.set(key, raw, { ttl: Math.max(1, Math.ceil(ttlMs)) });
  }

  async remove(keys: readonly string[]): Promise<void> {
    this.#apply({ keys: [...keys] });
    await this.#broadcast?.publish({ keys: [...keys] });
  }

  async invalidate(tags: readonly string[]): Promise<void> {
    this.#apply({ tags: [...tags] });
    await this.#broadcast?.publish({ tags: [...tags] });
  }

  // One process fills a key at a time already (the engine's single flight): no lock to share.
  async lock(): Promise<boolean> {
    return true;
  }

  async locked(): Promise<boolean> {
    return false;
  }

  async unlock(): Promise<void> {}

  async close(): Promise<void> {
    this.#lru.clear();
    await this.#broadcast?.close();
  }

  #apply(msg: BroadcastMessage): void {
    for (const key of msg.keys ?? []) this.#lru.delete(key);
    if (msg.tags?.length) {
      this.#seq += 1;
      for (const tag of msg.tags) this.#tags.set(tag, this.#seq);
    }
  }
}
