import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

// One parser per process, configured once: GitHub-flavoured markdown, synchronous.
const marked = new Marked({ gfm: true, breaks: false, async: false });

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
 * A plain-text excerpt of rendered HTML: at most `length` characters, cut at a word boundary with
 * an ellipsis when the text is longer.
 */
export function excerptOf(html: string, length: number): string {
  const text = textOf(html);
  const chars = [...text];
  if (chars.length <= length) return text;
  const cut = chars.slice(0, length).join('');
  const space = cut.lastIndexOf(' ');
  return `${(space > length / 2 ? cut.slice(0, space) : cut).replace(/[\s.,;:!?-]+$/, '')}…`;
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
