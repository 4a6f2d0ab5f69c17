/** @tessera/cache — response and data caching, ETags, tag-based invalidation, memory or Redis. */
import './augment.ts';

export { cache } from './app.ts';
export { Cache } from './cache.ts';
export type { CacheSetOptions, CacheStats } from './cache.ts';
export { createCache, DEFAULT_KEY_PREFIX } from './create.ts';
export type { CacheContext } from './create.ts';
export type { CacheCounters } from './engine.ts';
export type { HookTags } from './options.ts';
export {
  CacheOptions,
  HookTagMapper,
  DEFAULT_BACKEND,
  DEFAULT_LOCK_TIMEOUT_MS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_ENTRIES,
  DEFAULT_REDIS_TIMEOUT_MS,
  DEFAULT_TTL,
  DEFAULT_VERSION,
} from './options.ts';
export { etagOf, matchesIfNoneMatch } from './etag.ts';
export { CacheUnavailable, NotSerializable, RedisUrlRequired } from './errors.ts';
export type { CacheLogger } from './store.ts';
export { CACHE_VERSION } from './version.ts';
export type { RouteCachePolicy } from '@tessera/core';
