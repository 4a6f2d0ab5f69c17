import { describe, expect, it } from 'vitest';
import { excerptOf, renderMarkdown, slugifyTitle } from '../src/index.ts';

describe('renderMarkdown', () => {
  it('renders GitHub-flavoured markdown', () => {
    const html = renderMarkdown(
      '# Title\n\nSome **bold** and `code`.\n\n- [x] done\n- [ ] todo\n\n| a | b |\n|:-|-:|\n| 1 | 2 |\n\n```ts\nconst a = 1 < 2;\n```\n\n![alt](https://example.org/i.png "t") ~~old~~',
    );
    expect(html).toContain('<h1>Title</h1>');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<li><input type="checkbox" disabled checked /> done</li>');
    expect(html).toContain('<th align="left">a</th>');
    expect(html).toContain('<code class="language-ts">const a = 1 &lt; 2;');
    expect(html).toContain('<img src="https://example.org/i.png" alt="alt" title="t" />');
    expect(html).toContain('<del>old</del>');
  });

  it.each([
    ['a script tag', '<script>alert(1)</script>hi', 'hi'],
    [
      'an event handler',
      '<img src="https://x.test/a.png" onerror="alert(1)">',
      '<img src="https://x.test/a.png" />',
    ],
    ['a javascript: link', '[click](javascript:alert(1))', '<p><a>click</a></p>'],
    ['a data: image', '![x](data:image/svg+xml;base64,PHN2Zz4=)', '<p><img alt="x" /></p>'],
    [
      'an iframe and a style',
      '<iframe src="https://evil.test"></iframe><style>*{}</style>text',
      'text',
    ],
    ['an inline style attribute', '<p style="position:fixed">x</p>', '<p>x</p>'],
    [
      'a form',
      '<form action="/x"><input name="a"><button>go</button></form>',
      '<input type="checkbox" disabled />go',
    ],
    [
      'a class other than a language',
      '<code class="evil language-js">x</code>',
      '<p><code class="language-js">x</code></p>',
    ],
  ])('strips %s', (_what, source, expected) => {
    expect(renderMarkdown(source)).toBe(expected);
  });
});

it('makes code blocks and tables reachable with Tab, whatever tabindex the markdown gave', () => {
  expect(renderMarkdown('```\nx\n```')).toBe('<pre tabindex="0"><code>x\n</code></pre>');
  expect(renderMarkdown('<pre tabindex="-1" onclick="x()">y</pre>')).toBe(
    '<pre tabindex="0">y</pre>',
  );
  expect(renderMarkdown('| a |\n| - |\n| 1 |')).toMatch(/^<table tabindex="0">/);
});

describe('excerptOf', () => {
  it('answers the visible text, whole when short', () => {
    expect(excerptOf('<p>Tom &amp; <b>Jerry</b> &lt;3 &quot;x&quot; &#39;y&#39;</p>', 100)).toBe(
      'Tom & Jerry <3 "x" \'y\'',
    );
  });

  it('cuts a long first paragraph at a word with an ellipsis', () => {
    expect(excerptOf('<p>one two three four five six</p>', 15)).toBe('one two three…');
    expect(excerptOf('<p>' + 'x'.repeat(40) + '</p>', 10)).toBe('xxxxxxxxxx…');
  });

  it('is made of the first paragraphs, never of headings, lists, code, quotes or tables run together', () => {
    const html = renderMarkdown(
      [
        '## Why it matters',
        '',
        'A site is a list of apps.',
        '',
        '- one thing per app',
        '- overrides, not forks',
        '',
        '```ts',
        'const site = defineSettings({ apps: [auth()] });',
        '```',
        '',
        '> Do one thing.',
        '',
        '| a | b |',
        '| - | - |',
        '| 1 | 2 |',
        '',
        'Each app *does* one thing.',
      ].join('\n'),
    );
    expect(excerptOf(html, 300)).toBe('A site is a list of apps. Each app does one thing.');
  });

  it('keeps whole paragraphs: one that does not fit is left out', () => {
    const html = '<p>First paragraph.</p><p>Second paragraph, far too long to fit.</p>';
    expect(excerptOf(html, 30)).toBe('First paragraph.');
  });

  it('is empty for an entry without a paragraph', () => {
    expect(excerptOf(renderMarkdown('- a list\n- only'), 300)).toBe('');
  });
});

describe('slugifyTitle', () => {
  it('makes lower-case ASCII slugs from titles', () => {
    expect(slugifyTitle('Café, au lait! Tom & Jerry')).toBe('cafe-au-lait-tom-and-jerry');
    expect(slugifyTitle('  --Hello   World--  ')).toBe('hello-world');
    expect(slugifyTitle('日本語')).toBe('');
    expect(slugifyTitle('a'.repeat(250))).toHaveLength(200);
  });
});
