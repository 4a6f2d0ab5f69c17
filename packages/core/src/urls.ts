import type { FastifyRequest } from 'fastify';
import { MissingRouteParam, NoReverseMatch } from './errors.ts';

/**
 * Every named route and its path parameters, merged by declaration from each app:
 * `declare module '@tessera/core' { interface RouteParams { 'blog:entry-detail': { slug: string } } }`.
 * A wrong name or a missing parameter in `url()` then fails `tsc`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface RouteParams {}

/** A route name some installed app (or the site) declares. */
export type RouteName = keyof RouteParams & string;

/** The arguments `url()` takes for route `N`: the params object, optional when it has no members. */
export type UrlArgs<N extends RouteName> =
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  {} extends RouteParams[N] ? [params?: RouteParams[N]] : [params: RouteParams[N]];

/** Builds a path for a named route. */
export type UrlFor = <N extends RouteName>(name: N, ...args: UrlArgs<N>) => string;

/** One named route as the site mounted it. */
export interface NamedRoute {
  name: string;
  path: string;
  methods: string[];
  app: string | undefined;
}

/** A route as Fastify registered it: what `record` keeps (its config is read when asked). */
export interface RegisteredRoute {
  method: string | string[];
  url: string;
  config?: object;
  bodyLimit?: number;
}

/**
 * One registered route, named or not: what a security audit walks (every unsafe route must
 * refuse a request without a CSRF token; every route has a body and rate limit).
 */
export interface Endpoint {
  method: string;
  path: string;
  /** The full route name (`blog:entry-detail`), when the route has one. */
  name: string | undefined;
  /** The route's config as finally registered (`csrf`, `api`, `rateLimit`, …). */
  config: Readonly<Record<string, unknown>>;
  /** A route's own body limit, when it sets one over the site's. */
  bodyLimit: number | undefined;
}

/** The site's table of named routes, filled as routes are registered (no globals). */
export class RouteTable {
  readonly #routes = new Map<string, NamedRoute>();
  readonly #registered: RegisteredRoute[] = [];

  /** Keeps a route Fastify registered (the kernel calls this from `onRoute` for every route). */
  record(route: RegisteredRoute): void {
    this.#registered.push(route);
  }

  /** Every route registered, one row per method, HEAD included, in registration order. */
  endpoints(): Endpoint[] {
    return this.#registered.flatMap((r) => {
      const config = (r.config ?? {}) as Record<string, unknown>;
      const name = typeof config.routeName === 'string' ? config.routeName : undefined;
      return ([] as string[]).concat(r.method).map((method) => ({
        method,
        path: r.url,
        name,
        config,
        bodyLimit: r.bodyLimit,
      }));
    });
  }

  add(route: NamedRoute): void {
    const existing = this.#routes.get(route.name);
    if (existing && existing.path === route.path) {
      for (const m of route.methods) if (!existing.methods.includes(m)) existing.methods.push(m);
      return;
    }
    this.#routes.set(route.name, { ...route, methods: [...route.methods] });
  }

  has(name: string): boolean {
    return this.#routes.has(name);
  }

  list(): NamedRoute[] {
    return [...this.#routes.values()].sort((a, b) => a.path.localeCompare(b.path));
  }

  /** The path of route `name` with `params` filled in (each value URL-encoded). */
  reverse(name: string, params: Record<string, unknown> = {}): string {
    const route = this.#routes.get(name);
    if (!route) throw new NoReverseMatch(name);
    const path = route.path.replace(/:([A-Za-z0-9_]+)(\?)?/g, (_m, key: string, optional) => {
      const value = params[key];
      if (value === undefined || value === null || value === '') {
        if (optional) return '';
        throw new MissingRouteParam(name, key);
      }
      return encodeURIComponent(String(value));
    });
    return path.length > 1 ? path.replace(/\/+$/, '/').replace(/\/\/+/g, '/') : path;
  }

  /** The typed `url()` for code. */
  get url(): UrlFor {
    return ((name: string, params?: Record<string, unknown>) =>
      this.reverse(name, params)) as UrlFor;
  }
}

/**
 * `target` as a path on this site, ready for a `Location` header, or undefined when it is not
 * one: it must start with one `/`, have no scheme, no host, no backslash trick and no control
 * characters. What a header cannot carry — spaces and anything past ASCII (`/日本`,
 * `/。evil.example`) — comes back percent-encoded, the way a browser would send it; text that
 * cannot be encoded (a lone surrogate) is refused. Use it before following any user-supplied `next`.
 */
export function safePath(target: unknown): SitePath | undefined {
  if (typeof target !== 'string' || target.length === 0 || target.length > 2000) return undefined;
  if (!target.startsWith('/') || target.startsWith('//') || target.startsWith('/\\'))
    return undefined;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(target)) return undefined;
  let path: SitePath;
  try {
    path = target.replace(/[^\x21-\x7e]+/gu, (run) => encodeURI(run)) as SitePath;
    // The encoded path must still be a path here: a browser resolves it the same way.
    if (new URL(path, 'http://tessera.invalid').host !== 'tessera.invalid') return undefined;
  } catch {
    return undefined;
  }
  // Encoding grows a path up to ninefold; proxies refuse huge headers.
  return path.length > 2000 ? undefined : path;
}

/**
 * True when `target` is a path on this site that can go in a `Location` header as it is
 * (`safePath(target) === target`). A path that needs encoding first (`/日本`) answers false:
 * use `safePath` to get it encoded.
 */
export function isSafePath(target: unknown): target is SitePath {
  return target !== undefined && safePath(target) === target;
}

/** A path on this site (`/thanks`): starts with one slash. */
export type SitePath = `/${string}`;

/** A route name that needs no parameters, so a redirect can go there by name (`'home'`). */
export type RedirectName = {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  [N in RouteName]: {} extends RouteParams[N] ? N : never;
}[RouteName];

/**
 * Where to go after an action: a route name without parameters (`'contact-form:sent'`), a path on
 * this site (`'/thanks'`), or a function of the request and the action's result.
 */
export type RedirectTarget<R = unknown> =
  RedirectName | SitePath | ((request: FastifyRequest, result: R) => string | Promise<string>);

/**
 * Turns a redirect option into a path. A name of a known route wins; otherwise it must be a path
 * on this site, so a misconfigured or tampered target can never send a user elsewhere.
 */
export async function resolveRedirect<R>(
  routes: RouteTable,
  target: RedirectTarget<R>,
  request: FastifyRequest,
  result: R,
): Promise<string> {
  const value = typeof target === 'function' ? await target(request, result) : target;
  if (routes.has(value)) return routes.reverse(value);
  const path = safePath(value);
  if (path !== undefined) return path;
  throw new NoReverseMatch(value);
}
