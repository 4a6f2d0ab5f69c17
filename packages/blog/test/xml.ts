// A small, strict XML reader for the feed and sitemap tests: it fails on anything that is not
// well-formed (unbalanced or crossed tags, unquoted or `<`-bearing attributes, bare `&`, text
// outside the root) and answers the element tree, so tests check structure, not substrings.

/** An element: its name, attributes, child elements and text (entities decoded, CDATA kept). */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_][\w.:-]*/;
const ENTITY = /^&(?:#\d+|#x[0-9a-fA-F]+|lt|gt|amp|quot|apos);/;

function decode(raw: string, where: number): string {
  let out = '';
  for (let i = 0; i < raw.length; i += 1) {
    const c = raw[i]!;
    if (c === '<') throw new Error(`Unescaped '<' at ${where + i}.`);
    if (c !== '&') {
      out += c;
      continue;
    }
    const m = ENTITY.exec(raw.slice(i));
    if (!m) throw new Error(`Bare '&' at ${where + i}.`);
    const e = m[0].slice(1, -1);
    out += e.startsWith('#x')
      ? String.fromCodePoint(parseInt(e.slice(2), 16))
      : e.startsWith('#')
        ? String.fromCodePoint(Number(e.slice(1)))
        : { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }[e]!;
    i += m[0].length - 1;
  }
  return out;
}

/** Parses `xml` or throws saying where it is not well-formed. */
export function parseXml(xml: string): XmlElement {
  let at = 0;
  if (xml.startsWith('<?xml')) {
    at = xml.indexOf('?>') + 2;
    if (at < 2) throw new Error('Unclosed XML declaration.');
  }
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const expect = (s: string) => {
    const end = xml.indexOf(s, at);
    if (end < 0) throw new Error(`Expected '${s}' after ${at}.`);
    return end;
  };
  while (at < xml.length) {
    const lt = xml.indexOf('<', at);
    const text = xml.slice(at, lt < 0 ? xml.length : lt);
    if (stack.length) stack.at(-1)!.text += decode(text, at);
    else if (text.trim()) throw new Error(`Text outside the root element at ${at}.`);
    if (lt < 0) break;
    at = lt;
    if (xml.startsWith('<!--', at)) {
      at = expect('-->') + 3;
    } else if (xml.startsWith('<![CDATA[', at)) {
      if (!stack.length) throw new Error('CDATA outside the root element.');
      const end = expect(']]>');
      stack.at(-1)!.text += xml.slice(at + 9, end);
      at = end + 3;
    } else if (xml.startsWith('<?', at)) {
      at = expect('?>') + 2;
    } else if (xml.startsWith('</', at)) {
      const end = expect('>');
      const name = xml.slice(at + 2, end).trim();
      const open = stack.pop();
      if (!open || open.name !== name) {
        throw new Error(`Closing </${name}> does not match <${open?.name ?? '(none)'}>.`);
      }
      at = end + 1;
    } else {
      at += 1;
      const name = NAME.exec(xml.slice(at))?.[0];
      if (!name) throw new Error(`Bad element name at ${at}.`);
      at += name.length;
      const el: XmlElement = { name, attrs: {}, children: [], text: '' };
      for (;;) {
        const rest = xml.slice(at);
        const space = /^\s*/.exec(rest)![0].length;
        at += space;
        if (xml.startsWith('/>', at) || xml.startsWith('>', at)) break;
        if (!space) throw new Error(`Expected white space before an attribute at ${at}.`);
        const attr = /^([A-Za-z_][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/.exec(xml.slice(at));
        if (!attr) throw new Error(`Bad attribute at ${at}.`);
        if (attr[1]! in el.attrs) throw new Error(`Attribute ${attr[1]} twice at ${at}.`);
        el.attrs[attr[1]!] = decode(attr[3] ?? attr[4]!, at);
        at += attr[0].length;
      }
      if (stack.length) stack.at(-1)!.children.push(el);
      else if (root) throw new Error('More than one root element.');
      else root = el;
      if (xml.startsWith('/>', at)) at += 2;
      else {
        at += 1;
        stack.push(el);
      }
    }
  }
  if (stack.length) throw new Error(`Unclosed <${stack.at(-1)!.name}>.`);
  if (!root) throw new Error('No root element.');
  return root;
}

/** The children of `el` named `name`. */
export function all(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

/** The one child of `el` named `name`, or a failure naming what is missing. */
export function one(el: XmlElement, name: string): XmlElement {
  const found = all(el, name);
  if (found.length !== 1)
    throw new Error(`<${el.name}> has ${found.length} <${name}>, expected 1.`);
  return found[0]!;
}
