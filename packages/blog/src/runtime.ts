import { stateKey, type SiteContext } from '@tessera/core';
import type { BlogOptions } from './options.ts';
import { EntryReads } from './queries.ts';

/** What the blog keeps per site, built once at boot: its options and its compiled reads. */
export interface BlogRuntime {
  site: SiteContext;
  options: BlogOptions;
  reads: EntryReads;
}

/** The blog's runtime in a site's state: `site.state.get(BLOG)`. */
export const BLOG = stateKey<BlogRuntime>('blog');

/** Builds the blog's runtime and keeps it in the site's state (the app's setup does this). */
export function installBlog(site: SiteContext, options: BlogOptions): BlogRuntime {
  const runtime = { site, options, reads: new EntryReads(site, options.preparedStatements) };
  site.state.set(BLOG, runtime);
  return runtime;
}

/** The site's blog runtime; throws core's `AppNotInstalled` when the site lacks the blog. */
export function blogOf(site: SiteContext): BlogRuntime {
  return site.state.get(BLOG);
}
