import type { SiteContext } from '@tessera/core';
import { BlogNotInstalled } from './errors.ts';
import type { BlogOptions } from './options.ts';
import { EntryReads } from './queries.ts';

/** What the blog keeps per site, built once at boot: its options and its prepared reads. */
export interface BlogRuntime {
  site: SiteContext;
  options: BlogOptions;
  reads: EntryReads;
}

// One runtime per site, keyed weakly: a closed site leaves nothing behind (no globals).
const bySite = new WeakMap<SiteContext, BlogRuntime>();

/** Builds and attaches the blog's runtime (the app's setup does this). */
export function installBlog(site: SiteContext, options: BlogOptions): BlogRuntime {
  const runtime = { site, options, reads: new EntryReads(site, options.preparedStatements) };
  bySite.set(site, runtime);
  return runtime;
}

/** The site's blog runtime; fails clearly when the blog app is not installed. */
export function blogOf(site: SiteContext): BlogRuntime {
  const runtime = bySite.get(site);
  if (!runtime) throw new BlogNotInstalled();
  return runtime;
}
