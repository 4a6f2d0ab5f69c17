import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSite } from '@tessera/testing';
import { deleteEntry, listEntries, saveEntry } from '../src/index.ts';
import { blogSite, makeEntry } from './helpers.ts';

// The public list's count comes from a tally PostgreSQL keeps with triggers (migration 0003), not
// from counting: these tests change entries every way there is and compare with a real count.

let t: TestSite;

beforeAll(async () => {
  t = await blogSite({ paginateBy: 2 });
});
afterAll(() => t?.close());

/** What the public list says, and what counting the table says. */
async function counts(): Promise<{ listed: number; pages: number; counted: number }> {
  const page = (await listEntries(t.site, t.em(), {}, 1))!;
  const [row] = await t
    .em()
    .execute<{ n: number }[]>(
      `select count(*)::int as n from blog_entry where status = 'live' and pub_date <= now()`,
    );
  return { listed: page.count, pages: page.pages, counted: row!.n };
}

async function expectTrue(listed: number): Promise<void> {
  const c = await counts();
  expect(c.listed).toBe(c.counted);
  expect(c.listed).toBe(listed);
  expect(c.pages).toBe(Math.max(1, Math.ceil(listed / 2)));
}

const edit = (slug: string, changes: Record<string, unknown>) =>
  saveEntry(
    t.site,
    t.em(),
    slug,
    {
      title: slug,
      slug,
      body: 'Body.',
      excerpt: '',
      status: 'live',
      pubDate: new Date(Date.now() - 60_000),
      tags: [],
      extra: {},
      ...changes,
    },
    { user: null },
  );

describe("the public list's count", () => {
  it('follows entries saved, published, unpublished, rescheduled and deleted', async () => {
    await expectTrue(0);
    const a = await makeEntry(t, { pubDate: new Date(Date.now() - 60_000) });
    const b = await makeEntry(t, { pubDate: new Date(Date.now() - 60_000) });
    const draft = await makeEntry(t, { status: 'draft' });
    await makeEntry(t, { pubDate: new Date(Date.now() + 86_400_000) });
    await expectTrue(2);

    await edit(draft.slug, { status: 'live' });
    await expectTrue(3);
    await edit(a.slug, { status: 'draft' });
    await expectTrue(2);
    await edit(b.slug, { pubDate: new Date(Date.now() + 86_400_000) });
    await expectTrue(1);
    await edit(b.slug, { title: 'Back again', pubDate: new Date(Date.now() - 1000) });
    await expectTrue(2);

    await deleteEntry(t.site, t.em(), draft.slug, { user: null });
    await expectTrue(1);
    await deleteEntry(t.site, t.em(), a.slug, { user: null });
    await expectTrue(1);
  });

  it('follows SQL written past the blog: a bulk insert, a bulk update, a delete and a truncate', async () => {
    const before = (await counts()).counted;
    await t.em().execute(
      `insert into blog_entry (title, slug, body, body_html, excerpt, status, pub_date, created_at, updated_at)
       select 'Bulk ' || i, 'bulk-' || i, '', '', '', case when i % 3 = 0 then 'draft' else 'live' end,
              now() - interval '1 hour', now(), now()
         from generate_series(1, 30) i`,
    );
    await expectTrue(before + 20);
    await t.em().execute(`update blog_entry set status = 'live' where slug like 'bulk-%'`);
    await expectTrue(before + 30);
    await t.em().execute(`delete from blog_entry where slug in ('bulk-1', 'bulk-2', 'bulk-3')`);
    await expectTrue(before + 27);
    await t.em().execute('truncate blog_entry');
    await expectTrue(0);
    await makeEntry(t, { pubDate: new Date(Date.now() - 60_000) });
    await expectTrue(1);
  });

  it('stays right when entries are saved at the same time', async () => {
    const before = (await counts()).counted;
    await Promise.all(
      Array.from({ length: 8 }, () => makeEntry(t, { pubDate: new Date(Date.now() - 60_000) })),
    );
    await expectTrue(before + 8);
  });
});
