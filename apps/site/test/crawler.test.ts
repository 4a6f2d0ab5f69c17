import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestClient, TestSite } from '@tessera/testing';
import { createDemoSite, EDITOR_EMAIL, EDITOR_PASSWORD } from './helpers.ts';

/** Follows every internal link from `/`; answers each path with its status and title. */
async function crawl(
  client: TestClient,
  limit = 600,
): Promise<Map<string, { status: number; title: string | null; type: string }>> {
  const seen = new Map<string, { status: number; title: string | null; type: string }>();
  const queue = ['/'];
  while (queue.length && seen.size < limit) {
    const path = queue.shift()!;
    if (seen.has(path)) continue;
    const res = await client.get(path);
    const type = String(res.headers['content-type'] ?? '');
    const title = type.includes('text/html')
      ? (/<title>([^<]*)<\/title>/.exec(res.body)?.[1]?.trim() ?? null)
      : null;
    seen.set(path, { status: res.statusCode, title, type });
    if (!type.includes('text/html')) continue;
    for (const [, href] of res.body.matchAll(/href="([^"#]+)/g)) {
      const target = href!.replaceAll('&amp;', '&');
      if (
        !target.startsWith('/') ||
        target.startsWith('//') ||
        target.startsWith('/static/') ||
        target.startsWith('/api/docs')
      )
        continue;
      if (!seen.has(target) && !queue.includes(target)) queue.push(target);
    }
  }
  return seen;
}

describe('the demo site, crawled', () => {
  let t: TestSite;
  beforeAll(async () => {
    t = await createDemoSite({ rateLimit: false });
  });
  afterAll(() => t.close());

  function check(pages: Map<string, { status: number; title: string | null; type: string }>) {
    const broken = [...pages]
      .filter(([, p]) => p.status >= 400)
      .map(([path, p]) => `${p.status} ${path}`);
    const untitled = [...pages]
      .filter(([, p]) => p.type.includes('text/html') && !p.title)
      .map(([path]) => path);
    expect(broken).toEqual([]);
    expect(untitled).toEqual([]);
  }

  it('has no broken link and no page without a title for a visitor', async () => {
    const pages = await crawl(t.client());
    expect(pages.size).toBeGreaterThan(40);
    for (const path of [
      '/',
      '/blog',
      '/tags',
      '/contact',
      '/accounts/login',
      '/accounts/register',
      '/blog/feed/atom.xml',
    ]) {
      expect(pages.has(path), path).toBe(true);
    }
    check(pages);
  });

  it('has no broken link and no page without a title for the signed-in editor, edit pages included', async () => {
    const c = t.client();
    const login = await c.post('/accounts/login', {
      email: EDITOR_EMAIL,
      password: EDITOR_PASSWORD,
    });
    expect(login.statusCode).toBe(303);
    const pages = await crawl(c);
    expect([...pages.keys()].some((p) => p.startsWith('/blog/edit/'))).toBe(true);
    expect([...pages.keys()].some((p) => p.startsWith('/blog/new'))).toBe(true);
    check(pages);
  });
});
