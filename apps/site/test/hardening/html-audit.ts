// A small HTML reader for the checks a browser's CSP and an XSS review make: which elements and
// attributes a page really has (after entity decoding), what its scripts contain, and which
// URLs it loads. Enough to audit server-rendered pages without a browser.

/** One start tag: its lower-case name and decoded attributes. */
export interface Tag {
  name: string;
  attrs: Map<string, string>;
  /** Where it starts in the page. */
  at: number;
}

const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
};

/** Decodes HTML character references (`&lt;`, `&#60;`, `&#x3c;`). */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);?/gi, (m, ref: string) => {
    if (ref[0] === '#') {
      const code =
        ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : m;
    }
    return NAMED[ref.toLowerCase()] ?? m;
  });
}

const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title']);

/** Every start tag of `html`, skipping comments, and the text inside raw-text elements. */
export function parseTags(html: string): {
  tags: Tag[];
  rawText: { name: string; text: string }[];
} {
  const tags: Tag[] = [];
  const rawText: { name: string; text: string }[] = [];
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt < 0) break;
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      i = end < 0 ? html.length : end + 3;
      continue;
    }
    const m = /^<([a-zA-Z][^\s/>]*)/.exec(html.slice(lt, lt + 200));
    if (!m) {
      i = lt + 1;
      continue;
    }
    const name = m[1]!.toLowerCase();
    let j = lt + m[0].length;
    const attrs = new Map<string, string>();
    // Attributes: name, optionally = and a quoted or bare value, until `>`.
    for (;;) {
      while (j < html.length && /[\s/]/.test(html[j]!)) j++;
      if (j >= html.length || html[j] === '>') break;
      const an = /^[^\s/>=]+/.exec(html.slice(j))?.[0] ?? html[j]!;
      j += an.length;
      while (j < html.length && /\s/.test(html[j]!)) j++;
      let value = '';
      if (html[j] === '=') {
        j++;
        while (j < html.length && /\s/.test(html[j]!)) j++;
        const q = html[j];
        if (q === '"' || q === "'") {
          const end = html.indexOf(q, j + 1);
          value = html.slice(j + 1, end < 0 ? html.length : end);
          j = end < 0 ? html.length : end + 1;
        } else {
          const bare = /^[^\s>]*/.exec(html.slice(j))![0];
          value = bare;
          j += bare.length;
        }
      }
      if (!attrs.has(an.toLowerCase())) attrs.set(an.toLowerCase(), decodeEntities(value));
    }
    tags.push({ name, attrs, at: lt });
    i = j + 1;
    if (RAW_TEXT.has(name)) {
      const close = html.toLowerCase().indexOf(`</${name}`, i);
      const end = close < 0 ? html.length : close;
      rawText.push({ name, text: html.slice(i, end) });
      i = end;
    }
  }
  return { tags, rawText };
}

const URL_ATTRS = [
  'href',
  'src',
  'action',
  'formaction',
  'data',
  'poster',
  'background',
  'xlink:href',
  'srcset',
];
/** Elements that load something when the page loads (CSP default-src / script-src / style-src / img-src). */
const LOADERS: Record<string, string> = {
  script: 'src',
  img: 'src',
  iframe: 'src',
  frame: 'src',
  embed: 'src',
  object: 'data',
  audio: 'src',
  video: 'src',
  source: 'src',
  track: 'src',
  input: 'src',
};

/** Elements whose URL runs or frames code, or sends the page somewhere. */
const ACTIVE = new Set([
  'script',
  'iframe',
  'frame',
  'object',
  'embed',
  'link',
  'base',
  'form',
  'meta',
]);

/** A URL the page itself serves: a path on this site, not `//host` nor a scheme. */
export function sameOrigin(url: string): boolean {
  const u = url.trim();
  if (u === '' || u.startsWith('#') || u.startsWith('?')) return true;
  if (/^[a-z][a-z0-9+.-]*:/i.test(u)) return false;
  if (u.startsWith('//') || u.startsWith('/\\') || u.startsWith('\\')) return false;
  return true;
}

/** True for a `javascript:` (or `vbscript:`) URL as a browser reads it (controls and spaces ignored). */
export function scriptUrl(url: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /^(javascript|vbscript):/i.test(url.replace(/[\u0000-\u0020]/g, ''));
}

/**
 * What a browser enforcing the site's CSP (`default-src 'self'; script-src 'self';
 * style-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self';
 * base-uri 'self'`) would block or report on this page: inline scripts and styles (`style`
 * attributes too), event handler attributes, `javascript:` URLs, and anything loaded from
 * another origin. An empty list means the page works under the policy.
 */
export function cspViolations(html: string): string[] {
  const out: string[] = [];
  const { tags, rawText } = parseTags(html);
  for (const t of tags) {
    for (const [name, value] of t.attrs) {
      if (/^on/.test(name)) out.push(`<${t.name} ${name}>: an inline event handler`);
      if (name === 'style') out.push(`<${t.name} style>: an inline style`);
      if (URL_ATTRS.includes(name) && scriptUrl(value))
        out.push(`<${t.name} ${name}="${value}">: a javascript: URL`);
    }
    const loads = LOADERS[t.name];
    const src = loads ? t.attrs.get(loads) : undefined;
    if (src !== undefined && !sameOrigin(src) && !(t.name === 'img' && /^data:/i.test(src.trim())))
      out.push(`<${t.name} ${loads}="${src}">: loads from another origin`);
    if (
      t.name === 'link' &&
      /stylesheet|preload|modulepreload|icon/i.test(t.attrs.get('rel') ?? '')
    ) {
      const href = t.attrs.get('href') ?? '';
      if (!sameOrigin(href)) out.push(`<link href="${href}">: loads from another origin`);
    }
    if (t.name === 'form' && t.attrs.has('action') && !sameOrigin(t.attrs.get('action')!))
      out.push(`<form action="${t.attrs.get('action')}">: posts to another origin`);
    if (t.name === 'base' && !sameOrigin(t.attrs.get('href') ?? ''))
      out.push('<base> pointing elsewhere');
    if (t.name === 'object' || t.name === 'embed') out.push(`<${t.name}>: plugins are blocked`);
    if (t.name === 'meta' && /refresh/i.test(t.attrs.get('http-equiv') ?? ''))
      out.push('<meta http-equiv=refresh>');
  }
  for (const r of rawText)
    if ((r.name === 'script' || r.name === 'style') && r.text.trim() !== '')
      out.push(`<${r.name}>${r.text.slice(0, 60)}…: an inline ${r.name}`);
  return out;
}

/**
 * Where `marker` (a string carried by every payload) escaped its text context on this page:
 * an element or attribute it named, a script it ran in, a handler or `javascript:` URL it
 * reached. Text that merely shows the payload, escaped, is fine.
 */
export function injections(html: string, marker: string): string[] {
  const out: string[] = [];
  const m = marker.toLowerCase();
  const { tags, rawText } = parseTags(html);
  for (const t of tags) {
    if (t.name.includes(m)) out.push(`an element <${t.name}> made by a payload`);
    for (const [name, value] of t.attrs) {
      const v = value.toLowerCase();
      if (name.includes(m)) out.push(`an attribute ${name} on <${t.name}> made by a payload`);
      if (!v.includes(m)) continue;
      if (/^on/.test(name)) out.push(`a payload in the handler ${name} of <${t.name}>`);
      if (name === 'style') out.push(`a payload in the style of <${t.name}>`);
      if (URL_ATTRS.includes(name) && scriptUrl(value))
        out.push(`a payload in a javascript: URL of <${t.name}>`);
      if (URL_ATTRS.includes(name) && ACTIVE.has(t.name) && !sameOrigin(value))
        out.push(`a payload loading ${value} into <${t.name}>`);
    }
  }
  for (const r of rawText)
    if ((r.name === 'script' || r.name === 'style') && r.text.toLowerCase().includes(m))
      out.push(`a payload inside <${r.name}>`);
  return out;
}
