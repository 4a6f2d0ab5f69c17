import { InvalidTagName, TagNameTooLong } from './errors.ts';

/** A tag as pages and the API show it. */
export interface TagRow {
  name: string;
  slug: string;
}

/** How names are cleaned: the app's `maxLength` and `lowercase` options. */
export interface NameRules {
  maxLength: number;
  lowercase: boolean;
}

/** Longest slug in URL-encoded characters: the router refuses path parameters over 200. */
export const SLUG_MAX_URL_LENGTH = 180;

/**
 * Splits what a person typed into tag names, the way django-tagging reads it: with no comma and
 * no double quote, words are separated by spaces (`a b c`); otherwise commas separate names and
 * double quotes group words (`a, b c, "multi word"` → `a`, `b c`, `multi word`). An unclosed quote
 * reads as if it were not there. Answers the trimmed, non-empty pieces in the order typed; names are
 * validated and merged by `cleanTagNames`.
 */
export function parseTagInput(input: string): string[] {
  if (!input) return [];
  if (!input.includes(',') && !input.includes('"')) return splitStrip(input, /\s+/);
  const parts: { quoted: boolean; text: string }[] = [];
  let sawComma = false;
  let loose = '';
  let at = 0;
  while (at < input.length) {
    const c = input[at]!;
    if (c !== '"') {
      if (c === ',') sawComma = true;
      loose += c;
      at += 1;
      continue;
    }
    if (loose) parts.push({ quoted: false, text: loose });
    loose = '';
    const end = input.indexOf('"', at + 1);
    if (end === -1) {
      const rest = input.slice(at + 1);
      if (rest.includes(',')) sawComma = true;
      parts.push({ quoted: false, text: rest });
      at = input.length;
    } else {
      parts.push({ quoted: true, text: input.slice(at + 1, end) });
      at = end + 1;
    }
  }
  if (loose) parts.push({ quoted: false, text: loose });
  const delimiter = sawComma ? ',' : /\s+/;
  return parts.flatMap((part) =>
    part.quoted ? [part.text.trim()].filter(Boolean) : splitStrip(part.text, delimiter),
  );
}

function splitStrip(text: string, delimiter: string | RegExp): string[] {
  return text
    .split(delimiter)
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Joins names into text `parseTagInput` reads back to the same names: names with a comma or a space
 * are quoted, and names are separated by `, ` (`a, "multi word"`).
 */
export function formatTagInput(tags: readonly (string | { name: string })[]): string {
  return tags
    .map((t) => (typeof t === 'string' ? t : t.name))
    .map((name) => (/[,\s]/.test(name) ? `"${name}"` : name))
    .join(', ');
}

// Symbols that would otherwise vanish from a slug and merge tags that differ (c, c++, c#).
const SYMBOL_WORDS: readonly [RegExp, string][] = [
  [/&/g, ' and '],
  [/\+/g, ' plus '],
  [/(?<=[\p{L}\p{N}])#/gu, ' sharp '],
  [/@/g, ' at '],
];

/**
 * The slug of a tag name: case-folded, Latin accents dropped, letters and digits of every script
 * kept, anything else a single dash, cut so its URL-encoded form stays under
 * `SLUG_MAX_URL_LENGTH` (`C++` → `c-plus-plus`, `Café Society` → `cafe-society`, `日本語` → `日本語`).
 * Empty when the name has no letter or digit.
 */
export function slugify(name: string): string {
  let s = name;
  for (const [pattern, word] of SYMBOL_WORDS) s = s.replace(pattern, word);
  // Upper then lower case folds more than lower alone (ß → ss, ς → σ).
  s = s.toUpperCase().toLowerCase().normalize('NFKD');
  // Accents on Latin letters go (é → e); marks in other scripts are part of the letter and stay.
  s = s.replace(/(?<=\p{Script=Latin})\p{M}+/gu, '').normalize('NFC');
  s = s.replace(/[^\p{L}\p{N}\p{M}]+/gu, '-').replace(/^-+|-+$/g, '');
  let out = '';
  let encoded = 0;
  for (const ch of s) {
    encoded += encodeURIComponent(ch).length;
    if (encoded > SLUG_MAX_URL_LENGTH) break;
    out += ch;
  }
  return out.replace(/-+$/, '');
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffd]/;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function quote(name: string): string {
  const chars = [...name];
  return JSON.stringify(chars.length > 30 ? `${chars.slice(0, 30).join('')}…` : name);
}

/**
 * Checks one name and answers it cleaned (trimmed, inner white space collapsed, lower-cased when
 * the rules say so) with its slug. Throws `TESSERA_TAGGING_INVALID_NAME` for an empty,
 * whitespace-only, control-character, double-quoted or letterless name and
 * `TESSERA_TAGGING_NAME_TOO_LONG` for one over `maxLength` characters.
 */
export function cleanTagName(raw: unknown, rules: NameRules): TagRow {
  if (typeof raw !== 'string') throw new InvalidTagName(quote(String(raw)), 'it is not text.');
  if (LONE_SURROGATE.test(raw)) throw new InvalidTagName(quote(raw), 'it is not valid text.');
  const trimmed = raw.normalize('NFC').trim();
  if (!trimmed) throw new InvalidTagName(quote(raw), 'it is empty.');
  if (CONTROL.test(trimmed)) {
    throw new InvalidTagName(quote(raw), 'it contains control characters.');
  }
  let name = trimmed.replace(/\s+/g, ' ');
  if ([...name].length > rules.maxLength) throw new TagNameTooLong(quote(name), rules.maxLength);
  if (name.includes('"')) {
    throw new InvalidTagName(quote(name), 'double quotes cannot be part of a tag name.');
  }
  if (rules.lowercase) name = name.toLowerCase();
  const slug = slugify(name);
  if (!slug) throw new InvalidTagName(quote(name), 'it needs at least one letter or digit.');
  return { name, slug };
}

/**
 * Cleans a list of names (`cleanTagName` on each) and merges those with the same slug, keeping
 * the first spelling and the order given. The first bad name throws; nothing is half-accepted.
 */
export function cleanTagNames(names: readonly unknown[], rules: NameRules): TagRow[] {
  const bySlug = new Map<string, TagRow>();
  for (const raw of names) {
    const tag = cleanTagName(raw, rules);
    if (!bySlug.has(tag.slug)) bySlug.set(tag.slug, tag);
  }
  return [...bySlug.values()];
}
