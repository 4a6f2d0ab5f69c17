// Markdown to safe HTML, bounded. Over 300 lines on purpose: one marked instance, its sanitising and
// every bound it enforces (nesting, emphasis, elements, raw HTML tags) hook into the same parse; the
// text helpers at the end (textOf, excerptOf) read that output.
import {
  Lexer,
  Marked,
  type MarkedOptions,
  type Token,
  type TokenizerThis,
  type TokensList,
} from 'marked';
import sanitizeHtml from 'sanitize-html';
import { markdownTooComplex } from './errors.ts';

/**
 * How deep block quotes, lists, emphasis and links may nest inside each other. marked recurses
 * once per level: 5,000 `>` overflowed the stack (a 500). Real entries nest a handful of levels.
 */
export const MARKDOWN_MAX_NESTING = 32;
/**
 * Emphasis marks (runs of `*`, `_` or `~`) one paragraph, heading, list item or table cell may
 * hold. marked pairs them by scanning ahead from each one, so a paragraph's cost grows with the
 * square of their number: 60,000 took seconds. A long technical paragraph holds a few dozen.
 */
export const MARKDOWN_MAX_EMPHASIS_PER_BLOCK = 200;
/** Emphasis marks the whole body may hold: with the limit per block, this bounds the total work. */
export const MARKDOWN_MAX_EMPHASIS = 10_000;
/**
 * Elements (paragraphs, list items, links, emphasis, table cells, text runs…) the body may make:
 * rendering and sanitising cost grows with them. A 200 KB changelog makes about 12,000.
 */
export const MARKDOWN_MAX_ELEMENTS = 50_000;

/**
 * Tags of raw HTML (`<div>`) the body may hold: each is one token for marked but work for the
 * sanitiser, which 40,000 nested ones kept busy for a second.
 */
export const MARKDOWN_MAX_HTML_TAGS = 10_000;

const EMPHASIS = /\*+|_+|~+/g;

/** Thrown inside marked, which appends to an error's message: the reason travels apart. */
class Refusal extends Error {
  readonly reason: string;
  constructor(reason: string) {
    super(reason);
    this.reason = reason;
  }
}

/**
 * marked's lexer, counting as it goes: it refuses a body past the limits above before the work
 * they bound is done, so no body can overflow the stack or hold the event loop for long.
 */
class BoundedLexer extends Lexer {
  #blockDepth = 0;
  #inlineDepth = 0;
  #emphasis = 0;
  #elements = 0;

  /** Counts one step of lexing: each makes at most one element. */
  step(): void {
    if (++this.#elements > MARKDOWN_MAX_ELEMENTS)
      throw new Refusal(
        `The markdown makes more than ${MARKDOWN_MAX_ELEMENTS} elements (paragraphs, list items, links, emphasis, table cells…).`,
      );
  }

  override blockTokens(src: string, tokens?: Token[], lastParagraphClipped?: boolean): Token[];
  override blockTokens(
    src: string,
    tokens?: TokensList,
    lastParagraphClipped?: boolean,
  ): TokensList;
  override blockTokens(
    src: string,
    tokens?: Token[] | TokensList,
    lastParagraphClipped?: boolean,
  ): Token[] | TokensList {
    if (++this.#blockDepth > MARKDOWN_MAX_NESTING + 1) throw tooDeep();
    try {
      return super.blockTokens(src, tokens as TokensList, lastParagraphClipped);
    } finally {
      this.#blockDepth--;
    }
  }

  override inlineTokens(src: string, tokens?: Token[]): Token[] {
    if (++this.#inlineDepth > MARKDOWN_MAX_NESTING) throw tooDeep();
    try {
      // Each block's text is counted once, at its own level; what nests inside is part of it.
      if (this.#inlineDepth === 1) this.#countEmphasis(src);
      return super.inlineTokens(src, tokens);
    } finally {
      this.#inlineDepth--;
    }
  }

  #countEmphasis(src: string): void {
    let marks = 0;
    EMPHASIS.lastIndex = 0;
    while (EMPHASIS.exec(src)) marks++;
    if (marks > MARKDOWN_MAX_EMPHASIS_PER_BLOCK)
      throw new Refusal(
        `One paragraph of the markdown has more than ${MARKDOWN_MAX_EMPHASIS_PER_BLOCK} emphasis marks (*, _ or ~): split it into shorter paragraphs.`,
      );
    this.#emphasis += marks;
    if (this.#emphasis > MARKDOWN_MAX_EMPHASIS)
      throw new Refusal(
        `The markdown has more than ${MARKDOWN_MAX_EMPHASIS} emphasis marks (*, _ or ~) in all.`,
      );
  }
}

function tooDeep(): Refusal {
  return new Refusal(
    `The markdown nests more than ${MARKDOWN_MAX_NESTING} levels deep (block quotes, lists, emphasis or links inside each other).`,
  );
}

/** Refuses a body whose raw HTML holds more tags than the sanitiser should walk. */
function refuseTooMuchHtml(tokens: Token[] | TokensList): Token[] | TokensList {
  let tags = 0;
  marked.walkTokens(tokens, (token) => {
    if (token.type !== 'html') return;
    for (let i = token.raw.indexOf('<'); i >= 0; i = token.raw.indexOf('<', i + 1)) tags++;
    if (tags > MARKDOWN_MAX_HTML_TAGS)
      throw new Refusal(`The markdown holds more than ${MARKDOWN_MAX_HTML_TAGS} HTML tags.`);
  });
  return tokens;
}

/**
 * marked asks extension tokenizers first at every step of its block and inline loops: these make
 * no token, they count the step, so an oversized body is refused as lexing goes, not after.
 */
const counting = (['block', 'inline'] as const).map((level) => ({
  name: `tessera-count-${level}`,
  level,
  tokenizer(this: TokenizerThis): undefined {
    (this.lexer as BoundedLexer).step();
    return undefined;
  },
}));

// One parser per process, configured once: GitHub-flavoured markdown, synchronous, bounded.
const marked = new Marked({
  gfm: true,
  breaks: false,
  async: false,
  extensions: counting,
  hooks: {
    processAllTokens: refuseTooMuchHtml,
    provideLexer() {
      // `renderMarkdown` only parses whole documents (`parse`, never `parseInline`).
      return function boundedLex<P, R>(src: string, options?: MarkedOptions<P, R>) {
        return new BoundedLexer(options as unknown as MarkedOptions).lex(src);
      };
    },
  },
});

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

/**
 * Renders an entry's markdown to HTML that is safe to show as is (stored on the row at save time).
 * A body past the limits above throws `MarkdownTooComplex` (422, naming the limit, as an error of
 * the `body` field); so does one marked cannot render at all.
 */
export function renderMarkdown(source: string): string {
  let html: string;
  try {
    html = marked.parse(source, { async: false });
  } catch (err) {
    if (err instanceof Refusal) throw markdownTooComplex(err.reason);
    // A shape the limits do not foresee that still runs out of stack: refused, not a 500.
    if (err instanceof RangeError)
      throw markdownTooComplex('The markdown is too complex to be rendered.');
    throw err;
  }
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
