// The sidebar on a site without the cache app: its lists are kept in the process, so a list page
// sends its own query only, and a change to entries or tags shows at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestClient, TestSite } from '@tessera/testing';
import { createDemoSite, signedInEditor } from './helpers.ts';

let t: TestSite;
let editor: TestClient;

beforeAll(async () => {
  // debug: responses say how many queries they sent (`server-timing`).
  t = await createDemoSite({ rateLimit: false, debug: true }, ['cache']);
  editor = await signedInEditor(t);
});
afterAll(() => t?.close());

function queriesOf(res: { headers: Record<string, unknown> }): number {
  const m = /desc="(\d+) queries"/.exec(String(res.headers['server-timing'] ?? ''));
  if (!m) throw new Error(`No query count in server-timing: ${res.headers['server-timing']}`);
  return Number(m[1]);
}

describe('the sidebar without the cache app', () => {
  it('is loaded once: the next list pages send their own query only', async () => {
    expect(t.app.hasDecorator('cache')).toBe(false);
    const first = await t.client().get('/blog/');
    expect(first.body).toContain('<h2>Archive</h2>');
    expect(first.body).toContain('<h2>Tags</h2>');
    for (const path of ['/blog/', '/blog/?page=2']) {
      const page = await t.client().get(path);
      expect(page.statusCode, path).toBe(200);
      expect(page.body, path).toContain('<h2>Tags</h2>');
      expect(queriesOf(page), path).toBe(1);
    }
  });

  it('shows a change as soon as the entry saved commits', async () => {
    const cloud = /rel="tag">([^<]+)<\/a> <span class="tag-count">\((\d+)\)/;
    const [, name, before] = cloud.exec((await t.client().get('/blog/')).body)!;
    const created = await editor.post('/blog/new', {
      title: 'A post in the busiest tag',
      slug: 'a-post-in-the-busiest-tag',
      body: 'Its body.',
      excerpt: '',
      status: 'live',
      pubDate: '',
      tags: name!,
    });
    expect(created.statusCode, created.body.slice(0, 300)).toBe(303);
    const page = await t.client().get('/blog/');
    expect(page.body).toContain('A post in the busiest tag');
    expect(cloud.exec(page.body)?.slice(1)).toEqual([name, String(Number(before) + 1)]);
  });
});
