import { resolveOptions, type AppInput } from '@tessera/core';
import { Broadcast } from './broadcast.ts';
import { Cache } from './cache.ts';
import { Engine } from './engine.ts';
import { RedisUrlRequired } from './errors.ts';
import { MemoryStore } from './memory-store.ts';
import { CacheOptions } from './options.ts';
import { RedisStore } from './redis-store.ts';
import type { CacheLogger, CacheStore } from './store.ts';

/** The key prefix of a cache made outside a site when none is given. */
export const DEFAULT_KEY_PREFIX = 'tessera';

/** What a cache is made of besides its options. */
export interface CacheContext {
  log: CacheLogger;
  /** Used when `options.keyPrefix` is not set. */
  keyPrefix?: string;
  /** The installed version of an app, for `cache.scope(name)`. */
  versionOf?: (app: string) => string | undefined;
}

/** A cache and the engine under it (the response cache shares the engine). */
export interface BuiltCache {
  cache: Cache;
  engine: Engine;
  /** `<keyPrefix>:<version>`. */
  base: string;
}

/** Makes the store, engine and site view from resolved options; waits briefly for Redis. */
export async function buildCache(options: CacheOptions, ctx: CacheContext): Promise<BuiltCache> {
  const base = `${options.keyPrefix ?? ctx.keyPrefix ?? DEFAULT_KEY_PREFIX}:${options.version}`;
  const timeoutMs = options.redisTimeoutMs;
  let store: CacheStore;
  if (options.backend === 'redis') {
    if (!options.url) throw new RedisUrlRequired();
    const redis = new RedisStore({ url: options.url, base, log: ctx.log, timeoutMs });
    await redis.link.ready(timeoutMs);
    store = redis;
  } else {
    const broadcast = options.url
      ? new Broadcast({
          url: options.url,
          channel: `${base}:_:invalidate`,
          log: ctx.log,
          timeoutMs,
        })
      : undefined;
    await broadcast?.ready(timeoutMs);
    store = new MemoryStore({
      maxEntries: options.maxEntries,
      maxBytes: options.maxBytes,
      broadcast,
    });
  }
  const engine = new Engine({ store, log: ctx.log, lockTimeoutMs: options.lockTimeoutMs });
  const cache = new Cache({
    engine,
    base,
    namespace: 'd',
    defaultTtl: options.defaultTtl,
    versionOf: ctx.versionOf ?? (() => undefined),
  });
  return { cache, engine, base };
}

/**
 * A cache outside a site (a worker, a script): `await createCache({ backend: 'redis', url })`.
 * Inside a site use `fastify.cache`. Close it with `cache.close()`.
 */
export async function createCache(
  options: AppInput<typeof CacheOptions> = {},
  ctx: Partial<CacheContext> = {},
): Promise<Cache> {
  const resolved = resolveOptions('cache', CacheOptions, options);
  const built = await buildCache(resolved, { log: ctx.log ?? CONSOLE, ...ctx });
  return built.cache;
}

const CONSOLE: CacheLogger = {
  warn: (_obj, msg) => console.warn(msg),
  info: (_obj, msg) => console.info(msg),
};
