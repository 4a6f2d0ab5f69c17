import type { HookName, HookPayloads } from '@tessera/core';
import { Type, type Static } from 'typebox';

/** Entries live in this process's memory unless the site says otherwise. */
export const DEFAULT_BACKEND = 'memory';
/** Django's VERSION: bump it to orphan every entry the site wrote before. */
export const DEFAULT_VERSION = 1;
/** Seconds an entry stays fresh when neither the route nor the call says (Django's 300). */
export const DEFAULT_TTL = 300;
/** Most entries the memory backend keeps before it drops the least recently used. */
export const DEFAULT_MAX_ENTRIES = 10_000;
/** Most bytes (of serialised entries) the memory backend keeps. */
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
/** How long one process may hold the fill lock of a key before others compute it themselves. */
export const DEFAULT_LOCK_TIMEOUT_MS = 5_000;
/** How long a Redis command may take before the cache is bypassed for it. */
export const DEFAULT_REDIS_TIMEOUT_MS = 1_000;
/** Largest response body the response cache stores. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** Maps a hook's payload to the cache tags it invalidates, or a fixed list of tags. */
export const HookTagMapper = Type.Union([
  Type.Function([Type.Any()], Type.Array(Type.String())),
  Type.Array(Type.String()),
]);

/** A hook's payload → the tags it invalidates, or a fixed list. */
export type HookTagMapper = Static<typeof HookTagMapper>;

/** The site's hook → tags map, typed by the hooks the installed apps declare and their payloads. */
export type HookTags = {
  [N in HookName]?: ((payload: HookPayloads[N]) => string[]) | readonly string[];
};

/** The cache app's options; every field has a default. */
export const CacheOptions = Type.Object({
  /** `memory` (this process, lru-cache) or `redis` (shared by every process). */
  backend: Type.Union([Type.Literal('memory'), Type.Literal('redis')], {
    default: DEFAULT_BACKEND,
  }),
  /** Redis URL: the store with `backend: 'redis'`; with `memory`, the channel invalidations are broadcast on. */
  url: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  /** Django's KEY_PREFIX: keeps sites sharing one Redis apart (default: the site's name as a slug). */
  keyPrefix: Type.Optional(Type.String({ minLength: 1, pattern: '^[^\\s]+$' })),
  /** Django's VERSION: part of every key. */
  version: Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: '^[^\\s:]+$' })], {
    default: DEFAULT_VERSION,
  }),
  /** Seconds an entry stays fresh unless the route or call says otherwise. */
  defaultTtl: Type.Number({ minimum: 0, default: DEFAULT_TTL }),
  /** Memory backend: most entries kept. */
  maxEntries: Type.Integer({ minimum: 1, default: DEFAULT_MAX_ENTRIES }),
  /** Memory backend: most bytes kept. */
  maxBytes: Type.Integer({ minimum: 1, default: DEFAULT_MAX_BYTES }),
  /** Cache every GET route's responses, except the routes named or paths listed in `exclude`. */
  sitewide: Type.Object(
    {
      enabled: Type.Optional(Type.Boolean({ default: false })),
      /** Route names (`'auth:login'`, `'auth:*'`) or path prefixes (`'/admin'`). */
      exclude: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { default: [] })),
      /** Seconds pages stay fresh (default `defaultTtl`). */
      ttl: Type.Optional(Type.Number({ minimum: 0 })),
      /** Seconds a stale page may be served while one request refreshes it. */
      staleWhileRevalidate: Type.Optional(Type.Number({ minimum: 0, default: 0 })),
    },
    { default: {} },
  ),
  /** Store only responses to anonymous requests (Django's CACHE_MIDDLEWARE_ANONYMOUS_ONLY). */
  anonymousOnly: Type.Boolean({ default: true }),
  /** ETag on HTML and JSON responses and 304 for a matching If-None-Match, on every GET route. */
  etag: Type.Boolean({ default: true }),
  /** Send `x-cache: HIT | MISS | STALE` on cacheable routes. */
  xCacheHeader: Type.Boolean({ default: true }),
  /** Largest response body stored, in bytes. */
  maxBodyBytes: Type.Integer({ minimum: 1, default: DEFAULT_MAX_BODY_BYTES }),
  /**
   * Hook name → tags to invalidate when it fires: a function of the payload or a fixed list. Empty
   * by default: apps invalidate their own tags; this is for what a site adds.
   */
  hookTags: Type.Unsafe<HookTags>(Type.Record(Type.String(), HookTagMapper, { default: {} })),
  /** Longest a process waits for another process filling the same key, in ms. */
  lockTimeoutMs: Type.Integer({ minimum: 1, default: DEFAULT_LOCK_TIMEOUT_MS }),
  /** Longest one Redis command may take before the cache is bypassed, in ms. */
  redisTimeoutMs: Type.Integer({ minimum: 1, default: DEFAULT_REDIS_TIMEOUT_MS }),
});

/** The resolved options. */
export type CacheOptions = Static<typeof CacheOptions>;
