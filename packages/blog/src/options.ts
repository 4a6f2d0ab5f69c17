import { Type, type Static } from 'typebox';
import type { Form, RedirectTarget } from '@tessera/core';
import { entryForm } from './forms.ts';
import type { EntrySummary } from './types.ts';

/** Entries per list page (list, archives, tag and author pages, the JSON list). */
export const DEFAULT_PAGINATE_BY = 10;
/** Entries in the Atom and RSS feeds. */
export const DEFAULT_FEED_ITEMS = 20;
/** The feeds' language (RSS `<language>`). */
export const DEFAULT_FEED_LANGUAGE = 'en';
/** Characters of an excerpt made from the body when none is written. */
export const DEFAULT_EXCERPT_LENGTH = 300;
/** Where a deleted entry sends the editor. */
export const DEFAULT_DELETE_REDIRECT = 'blog:entry-list';

/** Where a saved entry sends the editor by default: the entry's own page. */
export function DEFAULT_SUCCESS_REDIRECT(_request: unknown, entry: EntrySummary): string {
  return entry.url;
}

/** The default template of each page; a site overrides one by name or by file. */
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

// Optional in the type, so a site names only the templates it changes; filled at boot.
const template = (name: string) => Type.Optional(Type.String({ minLength: 1, default: name }));

/** The blog's options; every field has a default. */
export const BlogOptions = Type.Object(
  {
    paginateBy: Type.Integer({ minimum: 1, maximum: 100, default: DEFAULT_PAGINATE_BY }),
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
    /** The staff editing form: `entryForm`, or one made with `entryForm.extend({...})`. */
    form: Type.Unsafe<Form>({ default: entryForm }),
    /** Where a saved entry sends the editor: a route name, a path, or `(request, entry) => path`. */
    successRedirect: Type.Unsafe<RedirectTarget<EntrySummary>>({
      // A function default is read as a factory: this one answers the function itself.
      default: () => DEFAULT_SUCCESS_REDIRECT,
    }),
    /** Where a deleted entry sends the editor. */
    deleteRedirect: Type.Unsafe<RedirectTarget<EntrySummary>>({
      default: DEFAULT_DELETE_REDIRECT,
    }),
    templates: Type.Object(
      {
        list: template(DEFAULT_TEMPLATES.list),
        detail: template(DEFAULT_TEMPLATES.detail),
        archiveYear: template(DEFAULT_TEMPLATES.archiveYear),
        archiveMonth: template(DEFAULT_TEMPLATES.archiveMonth),
        tag: template(DEFAULT_TEMPLATES.tag),
        author: template(DEFAULT_TEMPLATES.author),
        drafts: template(DEFAULT_TEMPLATES.drafts),
        form: template(DEFAULT_TEMPLATES.form),
        confirmDelete: template(DEFAULT_TEMPLATES.confirmDelete),
        preview: template(DEFAULT_TEMPLATES.preview),
        sitemap: template(DEFAULT_TEMPLATES.sitemap),
      },
      { default: {}, additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

/** The blog's resolved options. */
export type BlogOptions = Static<typeof BlogOptions>;

/** Every page's template name, as resolved at boot (each has its default). */
export type BlogTemplates = Record<keyof typeof DEFAULT_TEMPLATES, string>;
