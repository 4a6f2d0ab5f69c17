/** @tessera/blog — handles entries in a weblog. */
import './augment.ts';

export { blog, BLOG_HOOKS, BLOG_PERMISSIONS } from './app.ts';
export {
  BlogOptions,
  DEFAULT_PAGINATE_BY,
  DEFAULT_FEED_ITEMS,
  DEFAULT_FEED_LANGUAGE,
  DEFAULT_EXCERPT_LENGTH,
  DEFAULT_DELETE_REDIRECT,
  DEFAULT_SUCCESS_REDIRECT,
  DEFAULT_TEMPLATES,
} from './options.ts';
export { BLOG } from './runtime.ts';
export type { BlogRuntime } from './runtime.ts';
export { Entry, EntrySchema, ENTRY_TABLE } from './entry.entity.ts';
export { entryForm, TITLE_MAX_LENGTH, BODY_MAX_LENGTH, EXCERPT_MAX_LENGTH } from './forms.ts';
export type { EntryForm } from './forms.ts';
export * from './errors.ts';
export { saveEntry, deleteEntry } from './entries.ts';
export { publishDue, PUBLISH_DUE_SCHEDULE } from './publishing.ts';
export type { PublishReport } from './publishing.ts';
export { BLOG_CACHE_TAGS, cacheTagsFor } from './cache-tags.ts';
export type { WriteOptions } from './entries.ts';
export { latestEntries, listEntries, getEntry, archiveMonths } from './reading.ts';
export type { ArchiveLink } from './reading.ts';
export { publicEntryIds } from './queries.ts';
export type { BlogTables, EntryFilter, FeedRow, SitemapRow, ArchiveMonth } from './queries.ts';
export {
  renderMarkdown,
  excerptOf,
  slugifyTitle,
  SLUG_MAX_LENGTH,
  SLUG_PATTERN,
  MARKDOWN_MAX_ELEMENTS,
  MARKDOWN_MAX_EMPHASIS,
  MARKDOWN_MAX_EMPHASIS_PER_BLOCK,
  MARKDOWN_MAX_HTML_TAGS,
  MARKDOWN_MAX_NESTING,
} from './markdown.ts';
export { blogDemoCommand, DEMO_EMAIL, DEMO_ENTRIES } from './demo.ts';
export { ENTRY_STATUSES } from './types.ts';
export type {
  AuthorRow,
  EntryCursor,
  EntryDetail,
  EntryInput,
  EntryRow,
  EntryStatus,
  EntrySummary,
  Page,
  PagePosition,
  TagLink,
} from './types.ts';
