import { createError } from '@tessera/core';

/** `backend: 'redis'` was chosen without a `url` to reach Redis at. */
export const RedisUrlRequired = createError(
  'TESSERA_CACHE_REDIS_URL_REQUIRED',
  "App 'cache': option 'url' is required with backend 'redis' (set REDIS_URL, e.g. redis://127.0.0.1:6379).",
  500,
);

/** The store cannot be reached; callers fall back to computing the value (never seen by visitors). */
export const CacheUnavailable = createError<[string]>(
  'TESSERA_CACHE_UNAVAILABLE',
  'The cache store is unavailable: %s',
  503,
);

/** A value given to `set` or returned by a `wrap` computation cannot be stored as JSON. */
export const NotSerializable = createError<[string, string]>(
  'TESSERA_CACHE_NOT_SERIALIZABLE',
  "The value for cache key '%s' cannot be stored as JSON: %s",
  500,
);
