import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { admin } from '@tessera/admin';
import { argon2id, auth } from '@tessera/auth';
import { TEST_PASSWORD, makeSuperuser } from '@tessera/auth/testing';
import {
  createTestSite,
  fakeInvalidations,
  recordHook,
  type InvalidationsFake,
  type TestClient,
  type TestSite,
} from '@tessera/testing';
import { TAGGING, mergeTags, renameTag, tagging } from '../src/index.ts';
import { library } from './fixtures/library.ts';
import type { Book } from './helpers.ts';
import { makeBooks } from './helpers.ts';

// Tagging registers its tags with the admin: renamed with a one-field form and merged as a bulk
// action, both through tagging's own services.

const TAGS = '/admin/tagging/tag';
let t: TestSite;
let root: TestClient;
let invalidations: InvalidationsFake;

beforeAll(async () => {
  t = await createTestSite({
    apps: [
      auth({ passwordHashers: [argon2id({ memoryCost: 8, timeCost: 1, parallelism: 1 })] }),
      tagging(),
      library(),
      admin(),
    ],
    routes: { mounts: { tagging: '/tags', library: '/books', auth: '/accounts', admin: '/admin' } },
  });
  await makeSuperuser(t, { email: 'root@example.com' });
  root = t.client();
  const res = await root.post('/accounts/login', {
    email: 'root@example.com',
    password: TEST_PASSWORD,
  });
  expect(res.statusCode).toBe(303);
});
beforeEach(() => {
  invalidations = fakeInvalidations(t.site);
  return () => invalidations.restore();
});
afterAll(() => t?.close());

const tagId = async (slug: string) =>
  (await t.em().execute<{ id: number }[]>('select id from tagging_tag where slug = ?', [slug]))[0]
    ?.id;
const tagsOf = async (book: Book) =>
  (await t.site.state.get(TAGGING).tagsFor(t.em(), book)).map((r) => r.slug);

describe('tags in the admin', () => {
  it('lists and searches tags', async () => {
    const [book] = await makeBooks(t, 1);
    await t.app.tagging.setTags(t.em(), book!, ['Python', 'Perl']);
    const list = await root.get(`${TAGS}?q=pyth`);
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Python');
    expect(list.body).not.toContain('>Perl<');
    expect(list.body).not.toContain('Add tag');
  });

  it('renames a tag: its items keep it under the new name, its pages invalidate', async () => {
    const [book] = await makeBooks(t, 1);
    await t.app.tagging.setTags(t.em(), book!, ['Rust']);
    invalidations.calls.length = 0;
    const changed = recordHook(t.site.hooks, 'tagging:tags-changed');
    const id = await tagId('rust');
    const res = await root.post(`${TAGS}/${id}`, { name: 'Rust lang' });
    expect(res.statusCode, res.body).toBe(303);
    expect(await tagsOf(book!)).toEqual(['rust-lang']);
    expect(changed).toHaveLength(1);
    expect(invalidations.calls).toHaveLength(1);
    expect(invalidations.calls[0]).toEqual(
      expect.arrayContaining(['tagging:cloud', 'tagging:tag:rust', 'tagging:tag:rust-lang']),
    );
  });

  it('refuses a name another tag has, beside the field', async () => {
    const [book] = await makeBooks(t, 1);
    await t.app.tagging.setTags(t.em(), book!, ['Go', 'Golang']);
    const res = await root.post(`${TAGS}/${await tagId('golang')}`, { name: 'go' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('merge the two');
    const bad = await root.post(`${TAGS}/${await tagId('golang')}`, { name: '"' });
    expect(bad.statusCode).toBe(422);
  });

  it('merges two tags into the oldest, keeping every tagged item', async () => {
    const [a, b, c] = await makeBooks(t, 3);
    await t.app.tagging.setTags(t.em(), a!, ['JS']);
    await t.app.tagging.setTags(t.em(), b!, ['JavaScript']);
    await t.app.tagging.setTags(t.em(), c!, ['JS', 'JavaScript']);
    const ids = [await tagId('javascript'), await tagId('js')];
    const res = await root.post(TAGS, { action: 'merge', ids });
    expect(res.statusCode).toBe(303);
    expect(await tagsOf(a!)).toEqual(['js']);
    expect(await tagsOf(b!)).toEqual(['js']);
    expect(await tagsOf(c!)).toEqual(['js']);
    expect(await tagId('javascript')).toBeUndefined();
    expect((await root.get(TAGS)).body).toContain(
      'Merged “JavaScript” into “JS” (1 item(s) gained it).',
    );
  });

  it('merging one tag changes nothing, and an unknown tag is an error', async () => {
    const [book] = await makeBooks(t, 1);
    await t.app.tagging.setTags(t.em(), book!, ['Solo']);
    const solo = (await tagId('solo'))!;
    expect((await mergeTags(t.site, t.em(), [solo])).merged).toEqual([]);
    await expect(mergeTags(t.site, t.em(), [999999])).rejects.toThrow('No tag has id 999999');
    await expect(renameTag(t.site, t.em(), 999999, 'x')).rejects.toThrow('No tag has id 999999');
  });
});
