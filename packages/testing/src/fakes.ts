// Hook fakes and factories: a test replaces a hook's listeners and asserts what fired, and an
// app publishes builders for its entities that other apps' and sites' tests use.
import type {
  EntityManager,
  HookListener,
  HookName,
  HookPayloads,
  Hooks,
  SiteContext,
} from '@tessera/core';

/** A hook whose listeners a test replaced: what fired, and how to put the listeners back. */
export interface HookFake<N extends HookName> {
  /** Every payload the hook was fired with, in order. */
  readonly calls: HookPayloads[N][];
  /** Puts the site's own listeners back and removes the fake. */
  restore(): void;
}

/**
 * Replaces `name`'s listeners for a test: they do not run, `respond` (if given) answers in their
 * place — a transform or a `veto()` — and `calls` records each payload.
 * `const published = fakeHook(t.site.hooks, 'blog:entry-published'); … published.restore()`.
 */
export function fakeHook<N extends HookName>(
  hooks: Hooks,
  name: N,
  respond?: HookListener<HookPayloads[N]>,
): HookFake<N> {
  const isolated = hooks.isolate(name);
  const calls: HookPayloads[N][] = [];
  const remove = hooks.on(name, function fakeForTest(payload) {
    calls.push(payload);
    return respond?.(payload);
  } as HookListener<HookPayloads[N]>);
  return {
    calls,
    restore() {
      remove();
      isolated.restore();
    },
  };
}

/**
 * Where a factory builds: anything that hands out a fresh EntityManager (a `TestSite`), and the
 * site when the builder saves through an app's services (which fire its hooks).
 */
export interface FactoryTarget {
  em(): EntityManager;
  site?: SiteContext;
}

/** Builds one `T` in a test's database, each with its own sequence number for unique values. */
export interface Factory<T, O> {
  (target: FactoryTarget, overrides?: Partial<O>): Promise<T>;
  /** Builds `count` of them. */
  many(target: FactoryTarget, count: number, overrides?: Partial<O>): Promise<T[]>;
}

/**
 * Declares a factory an app publishes for tests: `export const makeUser = factory(async (em,
 * o, n) => createUser(em, { email: o.email ?? \`user${n}@example.com\`, … }))`. The builder
 * gets a fresh EntityManager, the overrides, a number unique in this process and the target
 * (`target.site` for a builder that saves through the app's services); the factory flushes what
 * it built.
 */
export function factory<T, O = Record<string, unknown>>(
  build: (em: EntityManager, overrides: Partial<O>, n: number, target: FactoryTarget) => Promise<T>,
): Factory<T, O> {
  let sequence = 0;
  const make = async (target: FactoryTarget, overrides: Partial<O> = {}) => {
    const em = target.em();
    const made = await build(em, overrides, ++sequence, target);
    await em.flush();
    return made;
  };
  return Object.assign(make, {
    async many(target: FactoryTarget, count: number, overrides: Partial<O> = {}) {
      const out: T[] = [];
      for (let i = 0; i < count; i++) out.push(await make(target, overrides));
      return out;
    },
  });
}

/** Cache invalidations a test counts in place of the cache app. */
export interface InvalidationsFake {
  /** The tags of each `site.services.invalidateTags` call, in order. */
  readonly calls: string[][];
  /** Puts the site's own `invalidateTags` back. */
  restore(): void;
}

/**
 * Replaces `site.services.invalidateTags` (core's meeting point with a cache) for a test, which
 * then asserts how often and with what it was called: "one save invalidates once".
 */
export function fakeInvalidations(site: SiteContext): InvalidationsFake {
  const original = site.services.invalidateTags;
  const calls: string[][] = [];
  site.services.invalidateTags = async function countInvalidations(tags) {
    calls.push([...tags]);
  };
  return {
    calls,
    restore() {
      site.services.invalidateTags = original;
    },
  };
}
