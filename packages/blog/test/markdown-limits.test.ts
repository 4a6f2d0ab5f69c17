// Issue 18, item 6: markdown bodies that overflowed marked's stack (a 500) or kept the worker
// busy for seconds. The limits bound the work by depth and size; these tests check the bounds,
// never the time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCountChange, type TestClient, type TestSite } from '@tessera/testing';
import {
  BODY_MAX_LENGTH,
  Entry,
  MARKDOWN_MAX_ELEMENTS,
  MARKDOWN_MAX_EMPHASIS,
  MARKDOWN_MAX_EMPHASIS_PER_BLOCK,
  MARKDOWN_MAX_HTML_TAGS,
  MARKDOWN_MAX_NESTING,
  renderMarkdown,
} from '../src/index.ts';
import { ALL_PERMISSIONS, asCurrent, blogSite, makeEntry, makeUser, signIn } from './helpers.ts';

/** `unit` repeated to fill a body of the largest size the form takes. */
const filled = (unit: string) => unit.repeat(Math.floor(BODY_MAX_LENGTH / unit.length));

const QUOTES = '>'.repeat(5000);
const NESTING = `more than ${MARKDOWN_MAX_NESTING} levels deep`;
/** 200 KB of links nested in links, the shape that took seconds per preview. */
const NESTED_LINKS = filled(`${'['.repeat(30)}a${'](b)'.repeat(30)}\n\n`);
const ELEMENTS = `more than ${MARKDOWN_MAX_ELEMENTS} elements`;

function refusal(source: string): string {
  try {
    renderMarkdown(source);
  } catch (err) {
    expect(err).toMatchObject({ code: 'TESSERA_BLOG_MARKDOWN_TOO_COMPLEX', statusCode: 422 });
    const { errors } = err as { errors: { body: string[] } };
    expect(errors.body).toEqual([(err as Error).message]);
    return (err as Error).message;
  }
  throw new Error('renderMarkdown rendered it');
}

describe('the limits of renderMarkdown', () => {
  it('500 from a 5 KB markdown body: 5,000 `>` are refused, naming the nesting limit', () => {
    expect(refusal(QUOTES)).toContain(NESTING);
    expect(refusal(`${'+ '.repeat(40)}deep list`)).toContain(NESTING);
    expect(refusal(`${'*'.repeat(80)}a${'*'.repeat(80)}`)).toContain(NESTING);
    // As deep as the limit still renders.
    expect(renderMarkdown(`${'>'.repeat(MARKDOWN_MAX_NESTING)} deep`)).toContain('deep');
  });

  it('refuses a paragraph with more emphasis marks than the limit: marked pairs them in square time', () => {
    expect(refusal(filled('_a'))).toContain(
      `more than ${MARKDOWN_MAX_EMPHASIS_PER_BLOCK} emphasis marks`,
    );
    expect(refusal(filled('*_a'))).toContain('split it into shorter paragraphs');
    const atLimit = `${'*a* '.repeat(MARKDOWN_MAX_EMPHASIS_PER_BLOCK / 2)}\n`;
    expect(renderMarkdown(atLimit)).toContain('<em>a</em>');
  });

  it('refuses a body with more emphasis marks in all than the limit', () => {
    const paragraph = `${'*_a'.repeat(MARKDOWN_MAX_EMPHASIS_PER_BLOCK / 2)}\n\n`;
    const paragraphs = Math.ceil(MARKDOWN_MAX_EMPHASIS / MARKDOWN_MAX_EMPHASIS_PER_BLOCK) + 1;
    expect(refusal(paragraph.repeat(paragraphs))).toContain(
      `more than ${MARKDOWN_MAX_EMPHASIS} emphasis marks (*, _ or ~) in all`,
    );
  });

  it('refuses 200 KB bodies that make more elements than the limit, or more HTML tags', () => {
    expect(refusal(NESTED_LINKS)).toContain(ELEMENTS);
    expect(refusal(filled('- a\n'))).toContain(ELEMENTS);
    expect(refusal(filled('[a]('))).toContain(ELEMENTS);
    expect(refusal(filled('|a|b|\n').replace(/^/, '|a|b|\n|-|-|\n'))).toContain(ELEMENTS);
    expect(refusal(filled('<div>'))).toContain(`more than ${MARKDOWN_MAX_HTML_TAGS} HTML tags`);
  });

  it('renders a long ordinary entry whole', () => {
    const section = [
      '## A section',
      'Some *emphasis*, some **strong** text, `code_with_underscores` and [a link](https://example.com).',
      '- a list item\n- another, with _emphasis_\n  - nested once',
      '> a quotation\n> > quoted in it',
      '| a | b |\n|---|---|\n| 1 | 2 |',
      '```ts\nconst deep = [[[[[1]]]]];\n```',
    ].join('\n\n');
    const body = filled(`${section}\n\n`);
    const html = renderMarkdown(body);
    expect(html.match(/<h2>/g)).toHaveLength(Math.floor(BODY_MAX_LENGTH / (section.length + 2)));
  });
});

describe('every page and endpoint that renders a body answers 422, saves nothing', () => {
  let t: TestSite;
  let editor: TestClient;
  const json = { json: true, headers: { accept: 'application/json' } };
  const entry = (body: string) => ({
    title: 'Hostile markdown',
    slug: '',
    body,
    excerpt: '',
    status: 'live',
    pubDate: '',
    tags: '',
  });

  beforeAll(async () => {
    t = await blogSite();
    const author = await makeUser(t, 'editor@example.com', { permissions: ALL_PERMISSIONS });
    await makeEntry(t, {
      title: 'Kept',
      slug: 'kept',
      body: 'Kept *as is*.',
      author: asCurrent(author),
    });
    editor = await signIn(t, 'editor@example.com');
  });
  afterAll(() => t?.close());

  for (const [name, body, limit] of [
    ['5,000 `>`', QUOTES, NESTING],
    ['200 KB of nested links', NESTED_LINKS, ELEMENTS],
  ] as const) {
    it(`${name}: preview, new and edit show the form with the limit on the body`, async () => {
      await expectCountChange(t.em, Entry, 0, async () => {
        for (const url of ['/blog/preview', '/blog/new', '/blog/edit/kept']) {
          const res = await editor.post(url, entry(body));
          expect(res.statusCode, url).toBe(422);
          expect(res.body, url).toContain(limit);
        }
      });
      expect((await t.em().findOneOrFail(Entry, { slug: 'kept' })).body).toBe('Kept *as is*.');
    });

    it(`${name}: the API answers a 422 problem naming the limit, on create and on patch`, async () => {
      await expectCountChange(t.em, Entry, 0, async () => {
        const created = await editor.post(
          '/blog/api/entries',
          { title: 'Hostile', body, status: 'draft' },
          json,
        );
        const patched = await editor.patch('/blog/api/entries/kept', { body }, json);
        for (const res of [created, patched]) {
          expect(res.statusCode).toBe(422);
          expect(res.json()).toMatchObject({
            status: 422,
            code: 'TESSERA_BLOG_MARKDOWN_TOO_COMPLEX',
            errors: { body: [expect.stringContaining(limit)] },
          });
        }
      });
      expect((await t.em().findOneOrFail(Entry, { slug: 'kept' })).body).toBe('Kept *as is*.');
    });
  }
});
