// Per-app state on the site, typed by a key the app exports: `site.state.get(BLOG)` answers the
// blog's runtime for this site. No WeakMaps, symbols or module globals: two sites in one process
// keep theirs apart, and asking for an app the site did not install says so.
import createError from '@fastify/error';
import type { SiteContext } from './contract.ts';

/** A typed key for one app's state: `export const BLOG = stateKey<BlogRuntime>('blog')`. */
export interface StateKey<T> {
  readonly app: string;
  readonly name: string;
  /** Carries the type only. */
  readonly type?: T;
}

/** Makes a state key for `app` (`name` tells apart several keys of one app). */
export function stateKey<T>(app: string, name = 'runtime'): StateKey<T> {
  return Object.freeze({ app, name });
}

/** Something an app keeps for the site was asked for, but the app has not set it up on this site. */
export const AppNotInstalled = createError<[string, string]>(
  'TESSERA_APP_NOT_INSTALLED',
  "App '%s' is not installed on this site (or has not set up its %s yet): add it to the site's apps.",
  500,
);

/** The apps' state on one site. */
export class SiteState {
  readonly #values = new Map<string, unknown>();

  /** Keeps `value` under `key` (from the app's `setup`). */
  set<T>(key: StateKey<T>, value: T): void {
    this.#values.set(`${key.app}:${key.name}`, value);
  }

  /** The value under `key`; throws `AppNotInstalled` naming the app when there is none. */
  get<T>(key: StateKey<T>): T {
    const id = `${key.app}:${key.name}`;
    if (!this.#values.has(id)) throw new AppNotInstalled(key.app, key.name);
    return this.#values.get(id) as T;
  }

  /** True when the app has set `key` up on this site. */
  has(key: StateKey<unknown>): boolean {
    return this.#values.has(`${key.app}:${key.name}`);
  }
}

// The site rides on its ORM's configuration (MikroORM's extension registry, one per ORM), so a
// service that takes an EntityManager, as MikroORM code does, reaches its app's state from it.
const SITE_EXTENSION = '@tessera/site';

/** What `siteOf` needs of an EntityManager: its ORM's configuration. */
interface HasConfig {
  config: {
    registerExtension(name: string, cb: () => unknown): void;
    getExtension<T>(name: string): T | undefined;
  };
}

/** Ties `site` to its ORM, so `siteOf(em)` answers it for any EntityManager of that ORM. */
export function attachSite(orm: HasConfig, site: SiteContext): void {
  orm.config.registerExtension(SITE_EXTENSION, () => site);
}

/** An EntityManager was asked for its site, but no Tessera site made its ORM. */
export const NotASiteEntityManager = createError(
  'TESSERA_NOT_A_SITE_ENTITY_MANAGER',
  "This EntityManager belongs to no Tessera site: use request.em, a fork of site.orm.em, or a test site's em().",
  500,
);

/**
 * The site whose ORM made `em` (a fork or a request's EntityManager included):
 * `siteOf(em).state.get(AUTH)` lets `createUser(em, …)` use the site's password hashers.
 */
export function siteOf(em: HasConfig): SiteContext {
  const site = em.config.getExtension<SiteContext>(SITE_EXTENSION);
  if (!site) throw new NotASiteEntityManager();
  return site;
}
