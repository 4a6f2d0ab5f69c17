// The cache's engine under both the data API and the response cache. Over 300 lines on purpose:
// lookup, fill, invalidation and single flight share the store, the counters and the invalidation
// epoch; a flight's lease, the store's lock and the freshness rules cannot be read apart.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { NotSerializable } from './errors.ts';
import type { CacheLogger, CacheStore } from './store.ts';

/** A process waiting for another process's fill asks again after this long… */
const POLL_FIRST_MS = 10;
/** …doubling up to this. */
const POLL_MAX_MS = 100;
/** Most parsed page entries, and characters of their text, kept for reuse (see `lookup`). */
const PARSED_MAX = 1000;
const PARSED_MAX_CHARS = 16 * 1024 * 1024;

/** The counters every cache keeps (per process; a metrics endpoint reads them). */
export interface CacheCounters {
  /** Answers served from a fresh entry. */
  hits: number;
  /** Computations run because nothing usable was stored. */
  misses: number;
  /** Answers served from a stale entry while one request refreshes it. */
  stale: number;
  /** Requests that waited for another request's (or process's) computation instead of running their own. */
  coalesced: number;
  /** `invalidateTags` calls. */
  invalidations: number;
  /** Store commands that failed (the cache was bypassed for them). */
  errors: number;
}

/** What a stored entry holds besides its value: its tags and when it was computed and expires. */
interface Envelope<T> {
  v: T;
  /** Tags. */
  t?: string[];
  /** The invalidation sequence number read before the value was computed. */
  s: number;
  /** Fresh until (ms since the epoch). */
  f: number;
  /** Usable (stale) until. */
  e: number;
}

/** What a lookup found. `seq` is -1 when the store was bypassed (nothing is written then). */
export type Found<T> =
  { state: 'fresh' | 'stale'; value: T; seq: number } | { state: 'miss'; seq: number };

/** How long an entry lives and what it is tagged with. Seconds. */
export interface FillPolicy {
  ttl: number;
  staleWhileRevalidate: number;
  tags: readonly string[];
}

/** The outcome one computation hands to those who waited for it. */
export type Settled<T> = { value: T } | { error: unknown };

/** The right (and duty) to compute a key: settle it for waiters, then release it. */
export interface Lease<T> {
  readonly key: string;
  /** The invalidation sequence number read before the computation starts. */
  readonly seq: number;
  /** Hands the outcome to those waiting in this process; `undefined`: they compute on their own. */
  settle(outcome: Settled<T> | undefined): void;
  /** Settles (if not yet) and gives the fill lock back. */
  release(): Promise<void>;
}

/** What `acquire` answers: compute it yourself, someone else computed it, or someone is computing it. */
export type Acquired<T> = { lease: Lease<T> } | { settled: Settled<T> } | { busy: true };

/**
 * The machinery under both the data API and the response cache: envelopes with freshness and
 * tags, single flight (one computation per key in a process, and across processes through a short
 * lock in the store), background refreshes, and counters. A store that fails is bypassed.
 */
export class Engine {
  readonly store: CacheStore;
  readonly counters: CacheCounters = {
    hits: 0,
    misses: 0,
    stale: 0,
    coalesced: 0,
    invalidations: 0,
    errors: 0,
  };
  readonly #log: CacheLogger;
  readonly #lockTimeoutMs: number;
  /** Running computations by key, each with the invalidation epoch it started in. */
  readonly #flights = new Map<
    string,
    { promise: Promise<Settled<unknown> | undefined>; epoch: number }
  >();
  /**
   * Counts this process's invalidations. A computation that started before one may have read what
   * the write replaced: a caller that comes after it computes afresh instead of joining it.
   */
  #epoch = 0;
  readonly #background = new Set<Promise<void>>();
  /** Parsed entries of `lookup(key, { reuse: true })`, by key, with the raw text they came from. */
  readonly #parsed = new Map<string, { raw: string; env: Envelope<unknown> }>();
  #parsedChars = 0;

  constructor(opts: { store: CacheStore; log: CacheLogger; lockTimeoutMs: number }) {
    this.store = opts.store;
    this.#log = opts.log;
    this.#lockTimeoutMs = opts.lockTimeoutMs;
  }

  /**
   * The entry at `key` if it is usable: not expired, and none of its tags invalidated since.
   * `reuse`: the caller never changes the value (a stored page), so an entry parsed before is
   * answered again while the store holds the same text — a page hit skips `JSON.parse`.
   */
  async lookup<T>(key: string, opts: { reuse?: boolean } = {}): Promise<Found<T>> {
    if (!this.store.available()) return { state: 'miss', seq: -1 };
    try {
      const { raw, seq } = await this.store.read(key);
      const env =
        raw === undefined ? undefined : opts.reuse ? this.#reuse<T>(key, raw) : parse<T>(raw);
      const now = Date.now();
      // Missing, unreadable (it will be overwritten) or expired.
      if (!env || now >= env.e) return { state: 'miss', seq };
      if (env.t?.length) {
        const stamps = await this.store.tagSeqs(env.t);
        if (stamps.some((s) => s > env.s)) return { state: 'miss', seq };
      }
      return { state: now < env.f ? 'fresh' : 'stale', value: env.v, seq };
    } catch (err) {
      this.#failed(err);
      return { state: 'miss', seq: -1 };
    }
  }

  /** Stores `value` at `key` as computed after invalidation `seq` (nothing when bypassed). */
  async fill<T>(key: string, value: T, policy: FillPolicy, seq: number): Promise<void> {
    const freshMs = policy.ttl * 1000;
    const staleMs = policy.staleWhileRevalidate * 1000;
    if (seq < 0 || freshMs <= 0) return;
    const now = Date.now();
    const env: Envelope<T> = { v: value, s: seq, f: now + freshMs, e: now + freshMs + staleMs };
    if (policy.tags.length) env.t = [...new Set(policy.tags)];
    let raw: string;
    try {
      raw = JSON.stringify(env);
    } catch (err) {
      throw new NotSerializable(key, (err as Error).message);
    }
    if (!this.store.available()) return;
    try {
      await this.store.write(key, raw, freshMs + staleMs);
    } catch (err) {
      this.#failed(err);
    }
  }

  /** The invalidation sequence number now (-1 when the store is bypassed). */
  async seq(): Promise<number> {
    if (!this.store.available()) return -1;
    try {
      return await this.store.seq();
    } catch (err) {
      this.#failed(err);
      return -1;
    }
  }

  async remove(keys: readonly string[]): Promise<void> {
    try {
      await this.store.remove(keys);
    } catch (err) {
      this.#failed(err);
    }
  }

  async invalidate(tags: readonly string[]): Promise<void> {
    const unique = [...new Set(tags)].filter(Boolean);
    if (!unique.length) return;
    this.counters.invalidations += 1;
    this.#epoch += 1;
    try {
      await this.store.invalidate(unique);
    } catch (err) {
      this.#failed(err);
    }
  }

  /**
   * Becomes the one computation of `key`, or waits for the one already running — in this process,
   * or (through the store's lock) in another. With `wait: false` a running computation answers
   * `busy` instead (background refreshes never queue).
   */
  async acquire<T>(key: string, seq: number, opts: { wait?: boolean } = {}): Promise<Acquired<T>> {
    const wait = opts.wait ?? true;
    const running = this.#flights.get(key);
    if (running && running.epoch === this.#epoch) {
      if (!wait) return { busy: true };
      this.counters.coalesced += 1;
      const settled = (await running.promise) as Settled<T> | undefined;
      // The computation produced nothing to share (an error page, a personal page): compute alone.
      return settled ? { settled } : { lease: this.#lease(key, seq) };
    }
    let resolve!: (s: Settled<T> | undefined) => void;
    const flight = new Promise<Settled<T> | undefined>((r) => (resolve = r));
    this.#flights.set(key, { promise: flight, epoch: this.#epoch });
    const done = (s: Settled<T> | undefined) => {
      resolve(s);
      if (this.#flights.get(key)?.promise === flight) this.#flights.delete(key);
    };

    const token = randomUUID();
    const lock = seq < 0 ? 'none' : await this.#lock(key, token);
    if (lock === 'contended') {
      if (!wait) {
        done(undefined);
        return { busy: true };
      }
      this.counters.coalesced += 1;
      const found = await this.#awaitOtherProcess<T>(key);
      if (found) {
        const settled = { value: found.value };
        done(settled);
        return { settled };
      }
      return { lease: this.#lease(key, seq, done) };
    }
    // Another request may have filled the key between our lookup and now: look once more.
    const again = await this.lookup<T>(key);
    if (again.state === 'fresh') {
      this.counters.hits += 1;
      if (lock === 'held') await this.#unlock(key, token);
      const settled = { value: again.value };
      done(settled);
      return { settled };
    }
    return {
      lease: this.#lease(
        key,
        again.seq < 0 ? seq : again.seq,
        done,
        lock === 'held' ? token : undefined,
      ),
    };
  }

  /** Runs `compute` once for every concurrent caller of `key` and stores what it returns. */
  async once<T>(key: string, seq: number, compute: (seq: number) => Promise<T>): Promise<T> {
    const got = await this.acquire<T>(key, seq);
    if ('settled' in got) return unwrap(got.settled);
    const lease = (got as { lease: Lease<T> }).lease;
    this.counters.misses += 1;
    try {
      const value = await compute(lease.seq);
      lease.settle({ value });
      return value;
    } catch (error) {
      lease.settle({ error });
      throw error;
    } finally {
      await lease.release();
    }
  }

  /** Refreshes a stale key in the background, unless a refresh of it is already running. */
  refresh<T>(key: string, seq: number, run: (lease: Lease<T>) => Promise<void>): void {
    if (this.#flights.has(key)) return;
    this.track(
      (async () => {
        const got = await this.acquire<T>(key, seq, { wait: false });
        if (!('lease' in got)) return;
        try {
          await run(got.lease);
        } catch (err) {
          this.#log.warn(
            { err: { message: (err as Error).message }, key },
            'cache: refreshing a stale entry failed; it is served stale until it expires',
          );
        } finally {
          await got.lease.release();
        }
      })(),
    );
  }

  /** Keeps a background task until it ends, so `drain` can wait for it. */
  track(task: Promise<void>): void {
    this.#background.add(task);
    void task.finally(() => this.#background.delete(task));
  }

  /** Waits for every background refresh to end. */
  async drain(): Promise<void> {
    while (this.#background.size) await Promise.allSettled([...this.#background]);
  }

  async close(): Promise<void> {
    await this.drain();
    await this.store.close();
  }

  #lease<T>(
    key: string,
    seq: number,
    done?: (s: Settled<T> | undefined) => void,
    token?: string,
  ): Lease<T> {
    let settled = false;
    let released = false;
    const settle = (outcome: Settled<T> | undefined) => {
      if (settled) return;
      settled = true;
      done?.(outcome);
    };
    return {
      key,
      seq,
      settle,
      release: async () => {
        settle(undefined);
        if (released) return;
        released = true;
        if (token) await this.#unlock(key, token);
      },
    };
  }

  async #lock(key: string, token: string): Promise<'held' | 'contended' | 'none'> {
    try {
      return (await this.store.lock(key, token, this.#lockTimeoutMs)) ? 'held' : 'contended';
    } catch (err) {
      this.#failed(err);
      return 'none';
    }
  }

  async #unlock(key: string, token: string): Promise<void> {
    try {
      await this.store.unlock(key, token);
    } catch (err) {
      this.#failed(err);
    }
  }

  /** Polls for the entry another process is computing, until it lands, its lock goes, or time is up. */
  async #awaitOtherProcess<T>(key: string): Promise<{ value: T } | undefined> {
    const deadline = performance.now() + this.#lockTimeoutMs;
    let delay = POLL_FIRST_MS;
    while (performance.now() < deadline) {
      await sleep(delay);
      delay = Math.min(delay * 2, POLL_MAX_MS);
      const found = await this.lookup<T>(key);
      if (found.state === 'fresh') return { value: found.value };
      if (found.seq < 0) return undefined;
      let held: boolean;
      try {
        held = await this.store.locked(key);
      } catch (err) {
        this.#failed(err);
        return undefined;
      }
      if (!held) {
        const last = await this.lookup<T>(key);
        return last.state === 'fresh' ? { value: last.value } : undefined;
      }
    }
    return undefined;
  }

  #reuse<T>(key: string, raw: string): Envelope<T> | undefined {
    const known = this.#parsed.get(key);
    if (known && known.raw === raw) return known.env as Envelope<T>;
    const env = parse<T>(raw);
    if (known) {
      this.#parsed.delete(key);
      this.#parsedChars -= known.raw.length;
    }
    if (env) {
      // Bounded: a burst of distinct pages starts the memo afresh rather than growing it.
      if (this.#parsed.size >= PARSED_MAX || this.#parsedChars + raw.length > PARSED_MAX_CHARS) {
        this.#parsed.clear();
        this.#parsedChars = 0;
      }
      this.#parsed.set(key, { raw, env });
      this.#parsedChars += raw.length;
    }
    return env;
  }

  #failed(_err: unknown): void {
    // The store logs the outage once; here it is only counted.
    this.counters.errors += 1;
  }
}

function parse<T>(raw: string): Envelope<T> | undefined {
  try {
    const env = JSON.parse(raw) as Envelope<T>;
    return typeof env === 'object' && env !== null && typeof env.e === 'number' ? env : undefined;
  } catch {
    return undefined;
  }
}

function unwrap<T>(settled: Settled<T>): T {
  if ('error' in settled) throw settled.error;
  return settled.value;
}
