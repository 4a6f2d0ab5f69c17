import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

// One parser per process, configured once: GitHub-flavoured markdown, synchronous.
const marked = new Marked({ gfm: true, breaks: false, async: false });

/** A tag with no attribute but `tabindex="0"`, whatever the markdown's raw HTML gave it. */
function scrollable(tagName: string): sanitizeHtml.Transformer {
  return () => ({ tagName, attribs: { tabindex: '0' } });
}

/**
 * What rendered entries may contain: sanitize-html's defaults (text, lists, tables, code, quotes)
 * plus images and GFM's task-list checkboxes. No scripts, styles, frames, forms, event handlers
 * or `javascript:` URLs, whatever the markdown's raw HTML says.
 */
const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [...sanitizeHtml.defaults.allowedTags, 'img', 'del', 'input'],
  allowedAttributes: {
    a: ['href', 'title'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    input: ['type', 'checked', 'disabled'],
    code: ['class'],
    pre: ['tabindex'],
    table: ['tabindex'],
    th: ['align'],
    td: ['align'],
    ol: ['start'],
  },
  allowedClasses: { code: ['language-*'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    // A code block or table wider than the screen scrolls; keyboard users reach it with Tab.
    pre: scrollable('pre'),
    table: scrollable('table'),
    // Only the read-only checkbox of a task list survives as an input.
    input: (_tag, attribs) => ({
      tagName: 'input',
      attribs: {
        type: 'checkbox',
        disabled: '',
        ...('checked' in attribs ? { checked: '' } : {}),
      },
    }),
  },
};

/** Renders an entry's markdown to HTML that is safe to show as is (stored on the row at save time). */
export function renderMarkdown(source: string): string {
  const html = marked.parse(source, { async: false });
  return sanitizeHtml(html, SANITIZE).trim();
}

/** The visible text of rendered HTML, white space collapsed. */
export function textOf(html: string): string {
  return sanitizeHtml(html, { allowedTags: [], allowedAttributes: {} })
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Blocks whose text is never prose for an excerpt: headings, lists, code, quotes, tables and
 * figures (with every paragraph inside them).
 */
const NOT_PROSE = [
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'ul',
  'ol',
  'dl',
  'pre',
  'blockquote',
  'table',
  'figure',
  'script',
  'style',
  'textarea',
  'option',
  'noscript',
];

/** The text of each paragraph of rendered HTML that is not inside a list, quote or table, in order. */
export function paragraphsOf(html: string): string[] {
  const paragraphs = sanitizeHtml(html, {
    allowedTags: ['p'],
    allowedAttributes: {},
    nonTextTags: NOT_PROSE,
  });
  return paragraphs.split('</p>').map(textOf).filter(Boolean);
}

/** `text` whole when it has at most `length` characters, else cut at a word with an ellipsis. */
function cut(text: string, length: number): string {
  const chars = [...text];
  if (chars.length <= length) return text;
  const head = chars.slice(0, length).join('');
  const space = head.lastIndexOf(' ');
  return `${(space > length / 2 ? head.slice(0, space) : head).replace(/[\s.,;:!?-]+$/, '')}…`;
}

/**
 * A plain-text excerpt of rendered HTML, made of its first paragraphs: as many whole ones as fit in
 * `length` characters (the first cut at a word with an ellipsis when it alone is longer). Headings,
 * lists, code, quotes and tables are left out, so their text never runs into the prose; an entry
 * without a paragraph has an empty excerpt.
 */
export function excerptOf(html: string, length: number): string {
  let excerpt = '';
  for (const paragraph of paragraphsOf(html)) {
    const longer = excerpt ? `${excerpt} ${paragraph}` : paragraph;
    if ([...longer].length > length) return excerpt || cut(paragraph, length);
    excerpt = longer;
  }
  return excerpt;
}

/**
 * True when `excerpt` is the one the blog made from `html` rather than one an editor wrote: the
 * excerpt of today's rule, or of the rule before 0.2 (all the text run together, cut), which
 * entries saved then still carry until they are saved again.
 */
export function isMadeExcerpt(excerpt: string, html: string, length: number): boolean {
  return excerpt === excerptOf(html, length) || excerpt === cut(textOf(html), length);
}

/** Longest slug an entry can have (the column's size). */
export const SLUG_MAX_LENGTH = 200;

/** What a slug looks like: lower-case ASCII letters and digits in groups joined by single dashes. */
export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** A slug made from a title (`Café, au lait!` → `cafe-au-lait`); empty when nothing ASCII is left. */
export function slugifyTitle(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, SLUG_MAX_LENGTH)
    .replace(/-+$/, '');
}
