import { describe, expect, it } from 'vitest';
import {
  cleanTagName,
  cleanTagNames,
  formatTagInput,
  parseTagInput,
  slugify,
  SLUG_MAX_URL_LENGTH,
} from '../src/index.ts';

const RULES = { maxLength: 50, lowercase: false };

describe('parseTagInput reads typed tags like django-tagging', () => {
  it.each([
    ['', []],
    ['   ', []],
    ['one', ['one']],
    ['one two three', ['one', 'two', 'three']],
    ['a, b c, "multi word"', ['a', 'b c', 'multi word']],
    ['one, two', ['one', 'two']],
    ['one two, three', ['one two', 'three']],
    ['"one two" three', ['one two', 'three']],
    ['"one two", three', ['one two', 'three']],
    [',one two three', ['one two three']],
    ['one "two three', ['one', 'two', 'three']],
    ['one, "two, three', ['one', 'two', 'three']],
    ['a-one "a-two and a-three"', ['a-one', 'a-two and a-three']],
    ['"" , ,, x', ['x']],
    ['  tabs\tand\nlines  ', ['tabs', 'and', 'lines']],
  ])('%j → %j', (input, names) => {
    expect(parseTagInput(input)).toEqual(names);
  });
});

describe('formatTagInput', () => {
  it('quotes names with commas or spaces and reads back to the same names', () => {
    const names = ['a', 'multi word', 'x, y', 'c++'];
    const text = formatTagInput(names);
    expect(text).toBe('a, "multi word", "x, y", c++');
    expect(parseTagInput(text)).toEqual(names);
  });

  it('joins tag rows by name', () => {
    expect(formatTagInput([{ name: 'Python' }, { name: 'web dev' }])).toBe('Python, "web dev"');
  });
});

describe('slugify', () => {
  it.each([
    ['Python', 'python'],
    ['  Multi   Word  ', 'multi-word'],
    ['Café Society', 'cafe-society'],
    ['Straße', 'strasse'],
    ['C++', 'c-plus-plus'],
    ['C#', 'c-sharp'],
    ['#hashtag', 'hashtag'],
    ['AT&T', 'at-and-t'],
    ['日本語', '日本語'],
    ['हिन्दी', 'हिन्दी'],
    ['!!!', ''],
  ])('%j → %j', (name, slug) => {
    expect(slugify(name)).toBe(slug);
  });

  it('keeps a slug short enough for a URL, whole characters only', () => {
    const slug = slugify('語'.repeat(100));
    expect(encodeURIComponent(slug).length).toBeLessThanOrEqual(SLUG_MAX_URL_LENGTH);
    expect(slug).toBe('語'.repeat(20));
  });
});

describe('cleanTagName', () => {
  it('trims, collapses inner white space and keeps the spelling', () => {
    expect(cleanTagName('  Web   Dev ', RULES)).toEqual({ name: 'Web Dev', slug: 'web-dev' });
  });

  it('lower-cases names when the rules say so', () => {
    expect(cleanTagName('Web Dev', { ...RULES, lowercase: true })).toEqual({
      name: 'web dev',
      slug: 'web-dev',
    });
  });

  it.each([
    ['', 'TESSERA_TAGGING_INVALID_NAME', /is empty/],
    ['   ', 'TESSERA_TAGGING_INVALID_NAME', /is empty/],
    ['a\u0000b', 'TESSERA_TAGGING_INVALID_NAME', /control characters/],
    ['a\nb', 'TESSERA_TAGGING_INVALID_NAME', /control characters/],
    ['evil\u202etxt', 'TESSERA_TAGGING_INVALID_NAME', /control characters/],
    ['say "hi"', 'TESSERA_TAGGING_INVALID_NAME', /double quotes/],
    ['!!!', 'TESSERA_TAGGING_INVALID_NAME', /letter or digit/],
    ['bad\ud800', 'TESSERA_TAGGING_INVALID_NAME', /not valid text/],
    [42, 'TESSERA_TAGGING_INVALID_NAME', /not text/],
    ['x'.repeat(51), 'TESSERA_TAGGING_NAME_TOO_LONG', /longer than 50 characters/],
  ])('rejects %j with %s', (name, code, message) => {
    let error: (Error & { code?: string; statusCode?: number }) | undefined;
    try {
      cleanTagName(name, RULES);
    } catch (err) {
      error = err as Error & { code?: string; statusCode?: number };
    }
    expect(error?.code).toBe(code);
    expect(error?.statusCode).toBe(422);
    expect(error?.message).toMatch(message);
  });

  it('counts characters, not UTF-16 units, against the limit', () => {
    expect(cleanTagName('😀a'.repeat(25), RULES).name).toHaveLength(75);
  });
});

describe('cleanTagNames', () => {
  it('merges names with the same slug, keeping the first spelling and the order', () => {
    expect(cleanTagNames(['Python', 'web', 'PYTHON', ' python '], RULES)).toEqual([
      { name: 'Python', slug: 'python' },
      { name: 'web', slug: 'web' },
    ]);
  });
});
