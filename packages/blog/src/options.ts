import { Type, type Static } from 'typebox';
import { override } from '@tessera/core';
import { entryForm } from './forms.ts';
import type { EntrySummary } from './types.ts';

/** Entries per list page (list, archives, tag and author pages, the JSON list). */
export const DEFAULT_PAGINATE_BY = 10;
/**
 * Public list pages reached by number (`?page=N`); older entries are linked by position
 * (`?before=…`), and an older page number redirects there (docs/decisions/0011).
 */
export const DEFAULT_NUMBERED_PAGES = 10;
/** Entries in the Atom and RSS feeds. */
export const DEFAULT_FEED_ITEMS = 20;
/** The feeds' language (RSS `<language>`). */
export const DEFAULT_FEED_LANGUAGE = 'en';
/** Characters of an excerpt made from the body when none is written. */
export const DEFAULT_EXCERPT_LENGTH = 300;
/** Where a deleted entry sends the editor. */
export const DEFAULT_DELETE_REDIRECT = 'blog:entry-list' as const;

/** Where a saved entry sends the editor by default: the entry's own page. */
export function DEFAULT_SUCCESS_REDIRECT(_request: unknown, entry: EntrySummary): string {
  return entry.url;
}

/**
 * The default template of each page; a site overrides one by file (same path in its `templates/`)
 * or by option (`blog({ detailTemplate: 'site/entry.njk' })`).
 */
export const DEFAULT_TEMPLATES = {
  list: 'blog/entry_list.njk',
  detail: 'blog/entry_detail.njk',
  archiveYear: 'blog/entry_archive_year.njk',
  archiveMonth: 'blog/entry_archive_month.njk',
  tag: 'blog/entry_tag.njk',
  author: 'blog/entry_author.njk',
  drafts: 'blog/entry_drafts.njk',
  form: 'blog/entry_form.njk',
  confirmDelete: 'blog/entry_confirm_delete.njk',
  preview: 'blog/entry_preview.njk',
  sitemap: 'blog/sitemap.xml',
} as const;

/** The blog's options; every field has a default. */
export const BlogOptions = Type.Object(
  {
    paginateBy: Type.Integer({ minimum: 1, maximum: 100, default: DEFAULT_PAGINATE_BY }),
    numberedPages: Type.Integer({ minimum: 1, maximum: 1000, default: DEFAULT_NUMBERED_PAGES }),
    /** The feeds' title; empty means the site's name. */
    feedTitle: Type.String({ default: '' }),
    /** The feeds' subtitle (Atom) and description (RSS). */
    feedDescription: Type.String({ default: '' }),
    feedItems: Type.Integer({ minimum: 1, maximum: 500, default: DEFAULT_FEED_ITEMS }),
    feedLanguage: Type.String({ minLength: 2, default: DEFAULT_FEED_LANGUAGE }),
    /**
     * The site's public origin (`https://example.org`) for absolute URLs in feeds and the
     * sitemap; empty means the origin each request came in on.
     */
    siteUrl: Type.String({ pattern: '^(https?://[^/\\s]+)?$', default: '' }),
    /**
     * Run page reads as named prepared statements (planned once per connection). Turn off behind
     * a pooler that cannot keep them (PgBouncer in transaction mode before 1.21).
     */
    preparedStatements: Type.Boolean({ default: true }),
    excerptLength: Type.Integer({ minimum: 20, maximum: 5000, default: DEFAULT_EXCERPT_LENGTH }),
    /** The staff editing form: `entryForm`, one made with `entryForm.extend({...})`, or a function of the request. */
    form: override.form(entryForm),
    /** Where a saved entry sends the editor: a route name, a path, or `(request, entry) => path`. */
    successRedirect: override.redirect<EntrySummary>(DEFAULT_SUCCESS_REDIRECT),
    /** Where a deleted entry sends the editor: a route name, a path, or `(request, entry) => path`. */
    deleteRedirect: override.redirect<EntrySummary>(DEFAULT_DELETE_REDIRECT),
    /** The entry list's template. */
    listTemplate: override.template(DEFAULT_TEMPLATES.list),
    /** An entry's page template. */
    detailTemplate: override.template(DEFAULT_TEMPLATES.detail),
    /** A year's archive template. */
    archiveYearTemplate: override.template(DEFAULT_TEMPLATES.archiveYear),
    /** A month's archive template. */
    archiveMonthTemplate: override.template(DEFAULT_TEMPLATES.archiveMonth),
    /** A tag's entries template. */
    tagTemplate: override.template(DEFAULT_TEMPLATES.tag),
    /** An author's entries template. */
    authorTemplate: override.template(DEFAULT_TEMPLATES.author),
    /** The unpublished entries' template. */
    draftsTemplate: override.template(DEFAULT_TEMPLATES.drafts),
    /** The new and edit form's template. */
    formTemplate: override.template(DEFAULT_TEMPLATES.form),
    /** The delete confirmation's template. */
    confirmDeleteTemplate: override.template(DEFAULT_TEMPLATES.confirmDelete),
    /** The preview's template. */
    previewTemplate: override.template(DEFAULT_TEMPLATES.preview),
    /** The sitemap's template (XML). */
    sitemapTemplate: override.template(DEFAULT_TEMPLATES.sitemap),
  },
  { additionalProperties: false },
);

/** The blog's resolved options. */
export type BlogOptions = Static<typeof BlogOptions>;
