import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { veto } from '@tessera/core';
import { schemaDrift } from '@tessera/core/internal';
import { recordHook, type TestSite } from '@tessera/testing';
import type { User } from '@tessera/auth';
import {
  BLOG_HOOKS,
  Entry,
  deleteEntry,
  getEntry,
  latestEntries,
  saveEntry,
  type EntryInput,
} from '../src/index.ts';
import { Rating, ratings } from './fixtures/ratings/app.ts';
import { asCurrent, blogSite, entryCount, makeEntry, makeUser } from './helpers.ts';

let t: TestSite;
let user: User;
let invalidated: string[][];

beforeAll(async () => {
  t = await blogSite({}, { apps: [ratings()] });
  user = await makeUser(t, 'writer@example.com', { displayName: 'Writer' });
  t.site.services.invalidateTags = async (tags) => void invalidated.push(tags);
});
beforeEach(() => {
  invalidated = [];
});
afterAll(() => t?.close());

const input = (over: Partial<EntryInput> = {}): EntryInput => ({
  title: 'Hooked',
  slug: '',
  body: 'Body.',
  excerpt: '',
  status: 'draft',
  pubDate: new Date(Date.UTC(2024, 6, 1)),
  tags: [],
  extra: {},
  ...over,
});

describe('saving', () => {
  it('lets blog:entry-saving listeners change the entry before it is written', async () => {
    const off = t.site.hooks.on('blog:entry-saving', function addHouseTag(payload) {
      return {
        ...payload,
        entry: {
          ...payload.entry,
          title: payload.entry.title.trim() + '!',
          tags: [...payload.entry.tags, 'house'],
        },
      };
    });
    try {
      const saved = await makeEntry(t, {
        title: 'Transformed ',
        slug: 'transformed',
        tags: ['own'],
      });
      expect(saved.title).toBe('Transformed!');
      expect(saved.tags).toEqual(['house', 'own']);
    } finally {
      off();
    }
  });

  it('writes nothing and fires nothing when a listener vetoes', async () => {
    const off = t.site.hooks.on('blog:entry-saving', () => veto('closed for the holidays'));
    const saved = recordHook(t.site.hooks, 'blog:entry-saved');
    try {
      const before = await entryCount(t);
      await expect(makeEntry(t, { slug: 'vetoed' })).rejects.toMatchObject({
        code: 'TESSERA_BLOG_ENTRY_REJECTED',
        statusCode: 422,
        message: 'The entry was not saved: closed for the holidays',
      });
      expect(await entryCount(t)).toBe(before);
      expect(saved).toHaveLength(0);
      expect(invalidated).toHaveLength(0);
    } finally {
      off();
    }
  });

  it('fires blog:entry-saved after commit with the entry, and invalidates its cache tags', async () => {
    const saved = recordHook(t.site.hooks, 'blog:entry-saved');
    const entry = await saveEntry(
      t.site,
      t.em(),
      null,
      input({ slug: 'first-slug', tags: ['Old Tag'] }),
      {
        user: asCurrent(user),
      },
    );
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({
      created: true,
      previous: null,
      entry: {
        id: entry.id,
        slug: 'first-slug',
        title: 'Hooked',
        status: 'draft',
        pubDate: new Date(Date.UTC(2024, 6, 1)),
        tags: ['old-tag'],
        authorId: user.id,
        url: '/blog/2024/07/first-slug',
      },
    });
    // One call, after the commit: the blog's tags and tagging's (the tag the entry gained).
    expect(invalidated).toHaveLength(1);
    expect(invalidated[0]!.sort()).toEqual([
      'blog:entry:first-slug',
      'blog:feeds',
      'blog:list',
      'tagging:cloud',
      'tagging:tag:old-tag',
    ]);

    invalidated = [];
    await saveEntry(
      t.site,
      t.em(),
      'first-slug',
      input({ slug: 'second-slug', tags: ['New Tag'] }),
      { user: null },
    );
    expect(saved[1]).toMatchObject({
      created: false,
      previous: { slug: 'first-slug', tags: ['old-tag'] },
      entry: { id: entry.id, slug: 'second-slug', tags: ['new-tag'], authorId: user.id },
    });
    expect(invalidated).toHaveLength(1);
    expect(invalidated[0]!.sort()).toEqual(
      [
        'blog:entry:first-slug',
        'blog:entry:second-slug',
        'blog:feeds',
        'blog:list',
        'tagging:cloud',
        'tagging:tag:new-tag',
        'tagging:tag:old-tag',
      ].sort(),
    );
  });

  it('fires blog:entry-published once, the first time an entry goes live', async () => {
    const published = recordHook(t.site.hooks, 'blog:entry-published');
    const draft = await makeEntry(t, { slug: 'pub-once', status: 'draft' });
    expect(published).toHaveLength(0);
    const save = (status: 'draft' | 'live') =>
      saveEntry(t.site, t.em(), 'pub-once', input({ slug: 'pub-once', status }), { user: null });
    await save('live');
    await save('live');
    await save('draft');
    await save('live');
    expect(published).toHaveLength(1);
    expect(published[0]!.entry).toMatchObject({ id: draft.id, slug: 'pub-once', status: 'live' });
    await makeEntry(t, { slug: 'born-live', status: 'live' });
    expect(published.map((p) => p.entry.slug)).toEqual(['pub-once', 'born-live']);
  });

  it('fires nothing when the save fails in the database', async () => {
    const saved = recordHook(t.site.hooks, 'blog:entry-saved');
    await makeEntry(t, { slug: 'only-once' });
    invalidated = [];
    await expect(makeEntry(t, { slug: 'only-once' })).rejects.toMatchObject({
      code: 'TESSERA_BLOG_DUPLICATE_SLUG',
    });
    expect(saved.map((s) => s.entry.slug)).toEqual(['only-once']);
    expect(invalidated).toEqual([]);
  });

  it('reports a missing entry and an unreachable cache without failing the committed save', async () => {
    await expect(
      saveEntry(t.site, t.em(), 'no-such-entry', input(), { user: null }),
    ).rejects.toMatchObject({
      statusCode: 422,
    });
    const original = t.site.services.invalidateTags;
    t.site.services.invalidateTags = async () => {
      throw new Error('cache down');
    };
    try {
      const saved = await makeEntry(t, { slug: 'cache-down' });
      expect(saved.slug).toBe('cache-down');
    } finally {
      t.site.services.invalidateTags = original;
    }
  });

  it('checks what listeners hand back: a status or date they break is a field error', async () => {
    const off = t.site.hooks.on('blog:entry-saving', (p) => ({
      ...p,
      entry: { ...p.entry, status: 'archived' as never, pubDate: new Date('nope') },
    }));
    try {
      await expect(makeEntry(t, { slug: 'broken-by-hook' })).rejects.toMatchObject({
        errors: { status: [expect.stringContaining('Select a valid status')] },
      });
    } finally {
      off();
    }
    const off2 = t.site.hooks.on('blog:entry-saving', (p) => ({
      ...p,
      entry: { ...p.entry, pubDate: new Date('nope') },
    }));
    try {
      await expect(makeEntry(t, { slug: 'bad-date' })).rejects.toMatchObject({
        errors: { pubDate: expect.any(Array) },
      });
    } finally {
      off2();
    }
    const off3 = t.site.hooks.on('blog:entry-saving', (p) => ({
      ...p,
      entry: { ...p.entry, slug: 'Bad Slug' },
    }));
    try {
      await expect(makeEntry(t, {})).rejects.toMatchObject({ errors: { slug: expect.any(Array) } });
    } finally {
      off3();
    }
  });
});

describe('concurrent saves', () => {
  it('refuses with the slug error a save that loses the race for its slug, at commit', async () => {
    // Another transaction inserts the slug and stays open, so the save's own check sees nothing
    // and its insert waits on the unique index; when the other commits, the insert fails.
    let release!: () => void;
    let inserted!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const ready = new Promise<void>((r) => (inserted = r));
    const other = t.em().transactional(async (tx) => {
      await tx.execute(
        `insert into blog_entry (title, slug, body, body_html, excerpt, status, pub_date, created_at, updated_at)
         values ('Other', 'race', '', '', '', 'draft', now(), now(), now())`,
      );
      inserted();
      await held;
    });
    await ready;
    const saving = makeEntry(t, { slug: 'race', title: 'Mine' });
    let settled = false;
    saving.then(
      () => (settled = true),
      () => (settled = true),
    );
    // Wait (by polling the server, not the clock) until the save blocks on the other's row lock.
    for (;;) {
      const [{ waiting }] = await t
        .em()
        .execute<{ waiting: number }[]>(
          "select count(*)::int as waiting from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
        );
      if (waiting > 0 || settled) break;
      await new Promise((r) => setImmediate(r));
    }
    release();
    await other;
    await expect(saving).rejects.toMatchObject({
      code: 'TESSERA_BLOG_DUPLICATE_SLUG',
      errors: { slug: [expect.stringContaining('"race" already exists')] },
    });
    const rows = await t
      .em()
      .execute<{ title: string }[]>("select title from blog_entry where slug = 'race'");
    expect(rows).toEqual([{ title: 'Other' }]);
  });
});

describe('deleting', () => {
  it('fires blog:entry-deleted after commit and invalidates the entry’s tags', async () => {
    const deleted = recordHook(t.site.hooks, 'blog:entry-deleted');
    const entry = await makeEntry(t, { slug: 'to-delete', tags: ['gone'] });
    invalidated = [];
    const summary = await deleteEntry(t.site, t.em(), 'to-delete', { user: null });
    expect(summary).toMatchObject({ id: entry.id, slug: 'to-delete', tags: ['gone'] });
    expect(deleted).toEqual([{ entry: summary, user: null }]);
    expect(invalidated).toHaveLength(1);
    expect(invalidated[0]!.sort()).toEqual([
      'blog:entry:to-delete',
      'blog:feeds',
      'blog:list',
      'tagging:cloud',
      'tagging:tag:gone',
    ]);
    expect(await deleteEntry(t.site, t.em(), 'to-delete', { user: null })).toBeNull();
  });
});

describe('the app', () => {
  it('declares its hooks for `tessera hooks`', () => {
    const declared = t.site.hooks
      .list()
      .filter((h) => h.app === 'blog')
      .map((h) => h.name);
    expect(declared).toEqual([...BLOG_HOOKS].sort());
  });

  it('has migrations that match its entities, and creates its permissions', async () => {
    const drift = await schemaDrift(t.site.serverUrl, t.site.apps);
    expect(drift.up).toBe('');
    const perms = await t
      .em()
      .execute<{ codename: string }[]>(
        "select codename from auth_permission where codename like 'blog.%' order by codename",
      );
    expect(perms.map((p) => p.codename)).toEqual([
      'blog.add_entry',
      'blog.change_entry',
      'blog.delete_entry',
    ]);
  });

  it('lets a site relate its own entity to Entry, deleted with it', async () => {
    const entry = await makeEntry(t, { slug: 'rated' });
    const em = t.em();
    em.create(Rating, { entry: entry.id, stars: 5 } as never);
    await em.flush();
    const found = await t
      .em()
      .findOne(Rating, { entry: { slug: 'rated' } }, { populate: ['entry'] });
    expect(found?.entry.title).toBe(entry.title);
    await deleteEntry(t.site, t.em(), 'rated', { user: null });
    expect(await t.em().count(Rating, {})).toBe(0);
  });

  it('answers the newest public entries as plain rows for a home page', async () => {
    const rows = await latestEntries(t.site, t.em(), 2);
    expect(rows).toHaveLength(2);
    expect(rows[0]).not.toBeInstanceOf(Entry);
    expect(Object.keys(rows[0]!).sort()).toEqual([
      'author',
      'excerpt',
      'id',
      'pubDate',
      'slug',
      'status',
      'tags',
      'title',
      'url',
    ]);
    expect(rows.every((r) => r.status === 'live')).toBe(true);
  });

  it('answers a draft only to its author and staff', async () => {
    const draft = await makeEntry(t, {
      slug: 'a-secret',
      status: 'draft',
      author: asCurrent(user),
    });
    expect(await getEntry(t.site, t.em(), draft.slug)).toBeNull();
    expect((await getEntry(t.site, t.em(), draft.slug, asCurrent(user)))?.title).toBe(draft.title);
    const other = { ...asCurrent(user), id: user.id + 1000 };
    expect(await getEntry(t.site, t.em(), draft.slug, other)).toBeNull();
    expect(await getEntry(t.site, t.em(), draft.slug, { ...other, isStaff: true })).not.toBeNull();
  });
});
