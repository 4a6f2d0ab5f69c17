import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Templates } from '../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'tessera-text-'));
mkdirSync(join(dir, 'mail'));
writeFileSync(join(dir, 'mail/body.txt'), '{{ who }} & {{ site }}: {{ text }}');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('plain-text templates', () => {
  const templates = new Templates([{ owner: 'site', dir }], { cache: true });
  templates.addGlobal('site', "Tom's");

  it('renderText keeps text as written, while render still escapes the same template', async () => {
    const context = { who: 'Fish & "chips"', text: '<b>hi</b>' };
    expect(await templates.renderText('mail/body.txt', context)).toBe(
      `Fish & "chips" & Tom's: <b>hi</b>`,
    );
    expect(await templates.render('mail/body.txt', context)).toBe(
      'Fish &amp; &quot;chips&quot; & Tom&#39;s: &lt;b&gt;hi&lt;/b&gt;',
    );
  });

  it('renderText names a missing template', async () => {
    await expect(templates.renderText('mail/nope.txt', {})).rejects.toMatchObject({
      code: 'TESSERA_TEMPLATE_NOT_FOUND',
    });
  });
});
