// Whole pages served from the cache. Over 300 lines on purpose: lookup (onRequest or preHandler), store
// (onSend), stale-while-revalidate refreshes and the personal-page rule are one request's life in
// Fastify's hooks, passing one state between them.
import { createHash, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { cacheTagsOf, isPersonal } from '@tessera/core';
import type { Engine, Lease } from './engine.ts';
import { etagOf, matchesIfNoneMatch, wantsEtag } from './etag.ts';
import type { CacheOptions } from './options.ts';
import { mergeVary, pagePolicy, snapshot, type PagePolicy, type StoredPage } from './page.ts';
import { CACHE_VERSION } from './version.ts';

/** Marks the background request that refreshes a stale page; its value is a one-time id. */
const REFRESH_HEADER = 'x-tessera-cache-refresh';
/** A handler's Cache-Control that keeps its page out of shared caches (and ours). */
const NOT_SHARED = /\b(private|no-store|no-cache)\b/i;
const STATE = Symbol('tessera.cache.page');
/** Marks the config of a route the response cache is wired into. */
const WIRED = Symbol('tessera.cache.wired');
/** Most request URLs whose page keys are remembered (see `keyOf`). */
const KEYS_MAX = 10_000;

/** What one request carries from lookup to store. */
interface PageState {
  key: string;
  policy: PagePolicy;
  /** This request computes the page for everyone waiting. */
  lease?: Lease<StoredPage>;
  /** A stored page answered it. */
  served?: boolean;
  /** The request carries cookies (a session): look up once the preHandler hooks (auth) have run. */
  deferred?: boolean;
  /** The request is a signed-in user's or carries credentials: never looked up nor stored. */
  personal?: boolean;
}

type WithState = { [STATE]?: PageState };

/** What the response cache needs from the app. */
export interface ResponseCacheOptions {
  engine: Engine;
  options: CacheOptions;
  /** `<keyPrefix>:<version>`. */
  base: string;
  /**
   * The kernel's early answer point (`site.respondEarly`): stored pages for requests without
   * cookies are answered there, before the session, the user and the request's EntityManager
   * are set up. Without it, lookups run in each cached route's own `onRequest`.
   */
  respondEarly?: (fn: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>) => void;
}

/**
 * The response cache, wired into every GET route registered after the app's setup: a stored page
 * answers from `onRequest` (or, for a request with cookies, from `preHandler`, once auth has
 * said who it is); a computed page is stored from `onSend`. Also ETags and 304s on every GET
 * route, cacheable or not.
 */
export function installResponseCache(fastify: FastifyInstance, opts: ResponseCacheOptions): void {
  const { engine, options } = opts;
  const pages = `${opts.base}:cache@${CACHE_VERSION}:page:`;
  const policies = new WeakMap<object, PagePolicy | null>();
  const refreshes = new Map<string, Lease<StoredPage>>();
  const keys = new Map<string, string>();
  const bodies = new WeakMap<StoredPage, Buffer | string>();

  /**
   * A stored page's body as bytes, encoded once per parsed page (the engine reuses it from hit
   * to hit): a string with any character past Latin-1 (an em dash in a layout) is re-encoded to
   * UTF-8 on every write otherwise, which costs a page hit as much as the rest of it.
   */
  function bodyOf(page: StoredPage): Buffer | string {
    let body = bodies.get(page);
    if (body === undefined) {
      body = page.base64
        ? Buffer.from(page.body, 'base64')
        : // Without a content type of its own a Buffer would be sent as application/octet-stream.
          page.headers['content-type'] !== undefined
          ? Buffer.from(page.body, 'utf8')
          : page.body;
      bodies.set(page, body);
    }
    return body;
  }

  function policyOf(request: FastifyRequest): PagePolicy | undefined {
    const config = request.routeOptions.config;
    let policy = policies.get(config);
    if (policy === undefined) {
      policy =
        pagePolicy(config.cache, config.routeName, request.routeOptions.url, options) ?? null;
      policies.set(config, policy);
    }
    return policy ?? undefined;
  }

  function keyOf(request: FastifyRequest, policy: PagePolicy): string {
    const target = `GET ${request.host}${request.url}`;
    // A page that varies on no header has one key per URL: hashed once, then remembered.
    if (!policy.vary.length) {
      const known = keys.get(target);
      if (known !== undefined) return known;
    }
    const hash = createHash('sha256').update(target);
    for (const name of policy.vary)
      hash.update(`\n${name}: ${String(request.headers[name] ?? '')}`);
    const key = pages + hash.digest('base64url');
    if (!policy.vary.length) {
      if (keys.size >= KEYS_MAX) keys.clear();
      keys.set(target, key);
    }
    return key;
  }

  async function lookupOnRequest(request: FastifyRequest, reply: FastifyReply) {
    if (request.method !== 'GET' && request.method !== 'HEAD') return;
    if ((request as WithState)[STATE]) return;
    const policy = policyOf(request);
    if (!policy) return;
    const refresh = request.headers[REFRESH_HEADER];
    const lease = typeof refresh === 'string' ? refreshes.get(refresh) : undefined;
    if (lease) {
      (request as WithState)[STATE] = { key: lease.key, policy, lease };
      return;
    }
    const state: PageState = { key: keyOf(request, policy), policy };
    (request as WithState)[STATE] = state;
    if (options.anonymousOnly && (request.user !== null || request.headers.authorization)) {
      state.personal = true;
      return;
    }
    // Who a request with cookies is (a session, a remember-me cookie) is known only once the
    // preHandler hooks, where an auth app may fill `request.user`, have run.
    if (options.anonymousOnly && request.headers.cookie) {
      state.deferred = true;
      return;
    }
    return serveOrLead(request, reply, state);
  }

  async function lookupOnPreHandler(request: FastifyRequest, reply: FastifyReply) {
    const state = (request as WithState)[STATE];
    if (!state?.deferred) return;
    state.deferred = false;
    if (request.user !== null) {
      state.personal = true;
      return;
    }
    return serveOrLead(request, reply, state);
  }

  async function serveOrLead(request: FastifyRequest, reply: FastifyReply, state: PageState) {
    // Stored pages are only read (served), never changed: the parsed entry can be reused.
    const found = await engine.lookup<StoredPage>(state.key, { reuse: true });
    if (found.state === 'fresh') {
      engine.counters.hits += 1;
      return serve(request, reply, state, found.value, 'HIT');
    }
    if (found.state === 'stale') {
      engine.counters.stale += 1;
      refreshInBackground(request, state, found.seq);
      return serve(request, reply, state, found.value, 'STALE');
    }
    const got = await engine.acquire<StoredPage>(state.key, found.seq);
    if ('settled' in got && 'value' in got.settled)
      return serve(request, reply, state, got.settled.value, 'HIT');
    if ('lease' in got) {
      engine.counters.misses += 1;
      state.lease = got.lease;
    }
  }

  function serve(
    request: FastifyRequest,
    reply: FastifyReply,
    state: PageState,
    page: StoredPage,
    label: 'HIT' | 'STALE',
  ): FastifyReply {
    state.served = true;
    reply.headers(page.headers);
    if (options.xCacheHeader) reply.header('x-cache', label);
    const etag = page.headers.etag;
    if (typeof etag === 'string' && matchesIfNoneMatch(request.headers['if-none-match'], etag)) {
      reply.removeHeader('content-type');
      return reply.code(304).send();
    }
    return reply.code(200).send(bodyOf(page));
  }

  function refreshInBackground(request: FastifyRequest, state: PageState, seq: number): void {
    const headers: Record<string, string> = { host: request.host };
    for (const name of state.policy.vary) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const url = request.url;
    engine.refresh<StoredPage>(state.key, seq, async (lease) => {
      const id = randomUUID();
      refreshes.set(id, lease);
      try {
        await fastify.inject({ method: 'GET', url, headers: { ...headers, [REFRESH_HEADER]: id } });
      } finally {
        refreshes.delete(id);
      }
    });
  }

  // Callback style: a page served from the cache (every hit) passes through without a promise.
  function storeOnSend(
    request: FastifyRequest,
    reply: FastifyReply,
    payload: unknown,
    done: (err: Error | null, payload?: unknown) => void,
  ): void {
    if (
      (request.method !== 'GET' && request.method !== 'HEAD') ||
      (request as WithState)[STATE]?.served
    )
      return done(null, payload);
    storeComputed(request, reply, payload).then((p) => done(null, p), done);
  }

  async function storeComputed(request: FastifyRequest, reply: FastifyReply, payload: unknown) {
    const state = (request as WithState)[STATE];
    const ok = reply.statusCode === 200;
    const body = typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : undefined;
    if (
      options.etag &&
      ok &&
      body !== undefined &&
      !reply.hasHeader('etag') &&
      wantsEtag(reply.getHeader('content-type'))
    )
      reply.header('etag', etagOf(body));
    if (state) await finish(request, reply, state, body);
    const etag = reply.getHeader('etag');
    if (
      options.etag &&
      ok &&
      typeof etag === 'string' &&
      matchesIfNoneMatch(request.headers['if-none-match'], etag)
    ) {
      reply.code(304);
      reply.removeHeader('content-type');
      reply.removeHeader('content-length');
      return null;
    }
    return payload;
  }

  async function finish(
    request: FastifyRequest,
    reply: FastifyReply,
    state: PageState,
    body: string | Buffer | undefined,
  ): Promise<void> {
    const { lease, policy } = state;
    const why = whyNotStored(request, reply, state, body);
    if (why) {
      if (why === 'personal' && !reply.hasHeader('cache-control'))
        reply.header('cache-control', 'private, no-cache');
      else if (why === 'unsuitable' && options.xCacheHeader) reply.header('x-cache', 'MISS');
      await lease?.release();
      return;
    }
    if (!reply.hasHeader('cache-control'))
      reply.header(
        'cache-control',
        policy.maxAge > 0 ? `public, max-age=${policy.maxAge}` : 'public, no-cache',
      );
    if (policy.vary.length) reply.header('vary', mergeVary(reply.getHeader('vary'), policy.vary));
    const page = snapshot(reply, body!);
    if (options.xCacheHeader) reply.header('x-cache', 'MISS');
    if (!lease) return;
    lease.settle({ value: page });
    try {
      const routeTags =
        typeof policy.tags === 'function' ? policy.tags(request) : (policy.tags ?? []);
      await engine.fill(
        state.key,
        page,
        {
          ttl: policy.ttl,
          staleWhileRevalidate: policy.staleWhileRevalidate,
          tags: [...routeTags, ...cacheTagsOf(reply)],
        },
        lease.seq,
      );
    } finally {
      await lease.release();
    }
  }

  function whyNotStored(
    request: FastifyRequest,
    reply: FastifyReply,
    state: PageState,
    body: string | Buffer | undefined,
  ): 'personal' | 'unsuitable' | undefined {
    // Core decides what belongs to one visitor (a user, a cookie set, a CSRF token made).
    if (state.personal || state.deferred || isPersonal(request, reply)) return 'personal';
    if (NOT_SHARED.test(String(reply.getHeader('cache-control') ?? ''))) return 'unsuitable';
    if (reply.statusCode !== 200 || body === undefined) return 'unsuitable';
    if (Buffer.byteLength(body) > options.maxBodyBytes || state.policy.ttl <= 0)
      return 'unsuitable';
    const vary = String(reply.getHeader('vary') ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean);
    if (vary.some((h) => h === '*' || !state.policy.vary.includes(h))) return 'unsuitable';
    return undefined;
  }

  function releaseOnResponse(request: FastifyRequest, _reply: FastifyReply, done: () => void) {
    const lease = (request as WithState)[STATE]?.lease;
    if (!lease) return done();
    lease.release().then(done, done);
  }

  async function releaseOnAbort(request: FastifyRequest) {
    await (request as WithState)[STATE]?.lease?.release();
  }

  // A request carrying cookies (a session) or credentials waits for `lookupOnPreHandler`; any
  // other GET of a cached route is looked up before the rest of the request's set-up runs.
  // (An app that recognised a user by something other than cookies or an Authorization header
  // would need `anonymousOnly` pages looked up after its hook: such an app does not exist here.)
  const early = opts.respondEarly;
  early?.(async function cachedPageEarly(request, reply) {
    if ((request.routeOptions.config as unknown as Record<symbol, unknown>)[WIRED] !== true) return;
    return lookupOnRequest(request, reply);
  });

  fastify.addHook('onRoute', function cacheRoute(route: RouteOptions) {
    const methods = ([] as string[]).concat(route.method);
    if (!methods.includes('GET') && !methods.includes('HEAD')) return;
    const r = route as unknown as Record<string | symbol, unknown>;
    if ((r.config as Record<symbol, unknown> | undefined)?.[WIRED]) return;
    r.config = { ...(r.config as object | undefined), [WIRED]: true };
    if (!early) r.onRequest = [...list(r.onRequest), lookupOnRequest];
    r.preHandler = [...list(r.preHandler), lookupOnPreHandler];
    // Before Fastify's HEAD handler, which empties the payload.
    const onSend = list(r.onSend);
    const head = onSend.findIndex(
      (h) => (h as { name?: string }).name === 'headRouteOnSendHandler',
    );
    r.onSend =
      head < 0
        ? [...onSend, storeOnSend]
        : [...onSend.slice(0, head), storeOnSend, ...onSend.slice(head)];
    r.onResponse = [...list(r.onResponse), releaseOnResponse];
    r.onRequestAbort = [...list(r.onRequestAbort), releaseOnAbort];
  });
}

function list(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}
