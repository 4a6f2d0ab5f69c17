import type { FastifyReply } from 'fastify';
import type { RouteCachePolicy } from '@tessera/core';
import type { CacheOptions } from './options.ts';

/** Headers never stored with a page. */
const UNSTORED = new Set([
  'set-cookie',
  'content-length',
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'x-cache',
  'server-timing',
  'age',
  'x-request-id',
]);

/** A stored page (always a 200): its headers and body. */
export interface StoredPage {
  headers: Record<string, string | string[]>;
  body: string;
  /** The body is binary, kept as base64. */
  base64?: true;
}

/** A route's caching, resolved once per route. */
export interface PagePolicy {
  ttl: number;
  staleWhileRevalidate: number;
  maxAge: number;
  vary: string[];
  tags: RouteCachePolicy['tags'];
}

/** A route's page policy from its `config.cache` and the site-wide settings; undefined: not cached. */
export function pagePolicy(
  cache: RouteCachePolicy | boolean | undefined,
  routeName: string | undefined,
  url: string | undefined,
  options: Pick<CacheOptions, 'sitewide' | 'defaultTtl'>,
): PagePolicy | undefined {
  const sitewide = options.sitewide;
  if (cache === false) return undefined;
  if (cache === undefined) {
    if (!sitewide.enabled || excluded(sitewide.exclude ?? [], routeName, url)) return undefined;
    return {
      ttl: sitewide.ttl ?? options.defaultTtl,
      staleWhileRevalidate: sitewide.staleWhileRevalidate ?? 0,
      maxAge: 0,
      vary: [],
      tags: undefined,
    };
  }
  const route = cache === true ? {} : cache;
  return {
    ttl: route.ttl ?? options.defaultTtl,
    staleWhileRevalidate: route.staleWhileRevalidate ?? 0,
    maxAge: route.maxAge ?? 0,
    vary: (route.vary ?? []).map((h) => h.toLowerCase()),
    tags: route.tags,
  };
}

/** True when a route is left out of the site-wide cache by name (`auth:*`) or path prefix (`/admin`). */
export function excluded(
  patterns: readonly string[],
  routeName: string | undefined,
  url: string | undefined,
): boolean {
  return patterns.some((p) => {
    if (p.startsWith('/'))
      return url !== undefined && (url === p || url.startsWith(p.endsWith('/') ? p : `${p}/`));
    if (p.endsWith('*')) return routeName !== undefined && routeName.startsWith(p.slice(0, -1));
    return routeName === p;
  });
}

/** The response's Vary with the route's headers added. */
export function mergeVary(existing: unknown, names: readonly string[]): string {
  const all = String(existing ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  for (const n of names) if (!all.some((h) => h.toLowerCase() === n)) all.push(n);
  return all.join(', ');
}

/** What is kept of a response: its headers (less the per-request ones) and body. */
export function snapshot(reply: FastifyReply, body: string | Buffer): StoredPage {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    const lower = name.toLowerCase();
    if (value === undefined || UNSTORED.has(lower)) continue;
    headers[lower] = Array.isArray(value) ? value.map(String) : String(value);
  }
  return typeof body === 'string'
    ? { headers, body }
    : { headers, body: body.toString('base64'), base64: true };
}
