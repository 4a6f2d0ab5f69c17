import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCountChange, type TestClient, type TestSite } from '@tessera/testing';
import type { User } from '@tessera/auth';
import { Entry } from '../src/index.ts';
import { ALL_PERMISSIONS, asCurrent, blogSite, makeEntry, makeUser, signIn } from './helpers.ts';

let t: TestSite;
let author: User;
let editor: TestClient;
const json = { json: true, headers: { accept: 'application/json' } };

beforeAll(async () => {
  t = await blogSite({ paginateBy: 2 });
  author = await makeUser(t, 'author@example.com', {
    permissions: ALL_PERMISSIONS,
    displayName: 'Au',
  });
  await makeUser(t, 'adder@example.com', { permissions: ['blog.add_entry'] });
  for (let d = 1; d <= 3; d += 1) {
    await makeEntry(t, {
      title: `Api ${d}`,
      slug: `api-${d}`,
      pubDate: new Date(Date.UTC(2024, 3, d)),
      tags: d === 1 ? ['Odd'] : [],
      author: asCurrent(author),
    });
  }
  await makeEntry(t, {
    title: 'Api draft',
    slug: 'api-draft',
    status: 'draft',
    author: asCurrent(author),
  });
  editor = await signIn(t, 'author@example.com');
});
afterAll(() => t?.close());

describe('reading', () => {
  it('lists published entries a page at a time, with links to the next and previous pages', async () => {
    const res = await t.client().get('/blog/api/entries');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      count: 3,
      page: 1,
      pages: 2,
      previous: null,
      next: '/blog/api/entries?page=2',
    });
    expect(body.results.map((e: { slug: string }) => e.slug)).toEqual(['api-3', 'api-2']);
    expect(body.results[0]).toEqual({
      id: expect.any(Number),
      slug: 'api-3',
      title: 'Api 3',
      url: '/blog/2024/04/api-3',
      excerpt: 'Body of entry 3.',
      status: 'live',
      pubDate: '2024-04-03T00:00:00.000Z',
      author: { id: author.id, name: 'Au', url: `/blog/author/${author.id}` },
      tags: [],
    });
    const two = (await t.client().get('/blog/api/entries?page=2')).json();
    expect(two.previous).toBe('/blog/api/entries?page=1');
    expect(two.results.map((e: { slug: string }) => e.slug)).toEqual(['api-1']);
  });

  it('filters by tag and by author, and answers problems for pages that do not exist', async () => {
    const byTag = (await t.client().get('/blog/api/entries?tag=odd')).json();
    expect(byTag.results.map((e: { slug: string }) => e.slug)).toEqual(['api-1']);
    expect(byTag.results[0].tags).toEqual([{ name: 'Odd', slug: 'odd', url: '/blog/tag/odd' }]);
    const byAuthor = (await t.client().get(`/blog/api/entries?author=${author.id}&page=2`)).json();
    expect(byAuthor.previous).toBe(`/blog/api/entries?page=1&author=${author.id}`);
    const past = await t.client().get('/blog/api/entries?page=9');
    expect(past.statusCode).toBe(404);
    expect(past.headers['content-type']).toContain('application/problem+json');
    expect((await t.client().get('/blog/api/entries?page=zero')).statusCode).toBe(400);
  });

  it('shows one entry with its body; a draft only to its author', async () => {
    const res = await t.client().get('/blog/api/entries/api-1');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      slug: 'api-1',
      body: 'Body of entry 1.',
      html: '<p>Body of entry 1.</p>',
    });
    const hidden = await t.client().get('/blog/api/entries/api-draft');
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json()).toMatchObject({ status: 404, code: 'TESSERA_BLOG_ENTRY_NOT_FOUND' });
    expect((await editor.get('/blog/api/entries/api-draft')).json().status).toBe('draft');
  });
});

describe('writing', () => {
  it('creates an entry for a user with blog.add_entry and answers 201 with it', async () => {
    const res = await editor.post(
      '/blog/api/entries',
      {
        title: 'From the API',
        body: 'Hello **API**.',
        status: 'live',
        tags: ['api', 'Json'],
        pubDate: '2024-05-06T07:08:09Z',
      },
      json,
    );
    expect(res.statusCode, res.body).toBe(201);
    expect(res.headers.location).toBe('/blog/api/entries/from-the-api');
    expect(res.json()).toMatchObject({
      slug: 'from-the-api',
      html: '<p>Hello <strong>API</strong>.</p>',
      pubDate: '2024-05-06T07:08:09.000Z',
      author: { id: author.id, name: 'Au' },
      tags: [
        { name: 'api', slug: 'api', url: '/blog/tag/api' },
        { name: 'Json', slug: 'json', url: '/blog/tag/json' },
      ],
    });
  });

  it('changes only the fields sent', async () => {
    const res = await editor.patch(
      '/blog/api/entries/from-the-api',
      { title: 'Renamed', tags: 'api' },
      json,
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      slug: 'from-the-api',
      title: 'Renamed',
      body: 'Hello **API**.',
      status: 'live',
      pubDate: '2024-05-06T07:08:09.000Z',
      tags: [{ name: 'api', slug: 'api', url: '/blog/tag/api' }],
    });
  });

  it('deletes an entry for a user with blog.delete_entry', async () => {
    const res = await editor.delete('/blog/api/entries/from-the-api', undefined, json);
    expect(res.statusCode).toBe(204);
    expect((await t.client().get('/blog/api/entries/from-the-api')).statusCode).toBe(404);
    expect(
      (await editor.delete('/blog/api/entries/from-the-api', undefined, json)).statusCode,
    ).toBe(404);
  });

  it('answers 401 to anonymous clients and 403 to users without the permission, writing nothing', async () => {
    const anon = t.client();
    const adder = await signIn(t, 'adder@example.com');
    await expectCountChange(t.em, Entry, 0, async () => {
      const a = await anon.post(
        '/blog/api/entries',
        { title: 'x', body: 'x', status: 'live' },
        json,
      );
      expect(a.statusCode).toBe(401);
      expect(a.headers['content-type']).toContain('application/problem+json');
      expect((await adder.patch('/blog/api/entries/api-1', { title: 'x' }, json)).statusCode).toBe(
        403,
      );
      expect((await adder.delete('/blog/api/entries/api-1', undefined, json)).statusCode).toBe(403);
      expect(
        (
          await editor.post(
            '/blog/api/entries',
            { title: 'x', body: 'x', status: 'live' },
            { ...json, csrf: false },
          )
        ).statusCode,
      ).toBe(403);
    });
  });

  it.each([
    [
      'an unknown field',
      { title: 'T', body: 'B', status: 'live', rating: 5 },
      '__all__',
      'Unknown field: rating.',
    ],
    [
      'a number for a title',
      { title: 5, body: 'B', status: 'live' },
      'title',
      'This value must be string.',
    ],
    ['a missing body', { title: 'T', status: 'live' }, 'body', 'This field is required.'],
    [
      'an unknown status',
      { title: 'T', body: 'B', status: 'published' },
      'status',
      'Select one of: draft, live.',
    ],
    [
      'an invalid date',
      { title: 'T', body: 'B', status: 'live', pubDate: '2024-13-45T00:00:00Z' },
      'pubDate',
      'ISO 8601',
    ],
    [
      'tags of the wrong type',
      { title: 'T', body: 'B', status: 'live', tags: { a: 1 } },
      'tags',
      'Enter a value of type string or array.',
    ],
    [
      'a duplicate slug',
      { title: 'T', slug: 'api-1', body: 'B', status: 'live' },
      'slug',
      'An entry with the slug "api-1" already exists',
    ],
    [
      'a bad tag name',
      { title: 'T', body: 'B', status: 'live', tags: ['"quoted"'] },
      'tags',
      'double quotes',
    ],
  ])(
    'refuses %s with a 422 problem naming the field, writing nothing',
    async (_what, body, field, message) => {
      await expectCountChange(t.em, Entry, 0, async () => {
        const res = await editor.post('/blog/api/entries', body, json);
        expect(res.statusCode).toBe(422);
        expect(res.headers['content-type']).toContain('application/problem+json');
        const problem = res.json();
        expect(problem.errors[field].join(' ')).toContain(message);
      });
    },
  );

  it('refuses a body that is not an object', async () => {
    const res = await editor.post('/blog/api/entries', '[1, 2]', {
      ...json,
      headers: { ...json.headers, 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors.__all__).toEqual(['Send the entry as a JSON object.']);
  });

  it('refuses a PATCH of the wrong shape and leaves the entry as it was', async () => {
    const res = await editor.patch(
      '/blog/api/entries/api-2',
      { title: 'ok', status: 'gone' },
      json,
    );
    expect(res.statusCode).toBe(422);
    expect((await t.client().get('/blog/api/entries/api-2')).json().title).toBe('Api 2');
  });
});

describe('OpenAPI', () => {
  it('describes every API route under the blog tag with its shapes at the site’s /api/docs', async () => {
    const res = await t.client().get('/api/docs/json');
    expect(res.statusCode).toBe(200);
    const spec = res.json() as {
      paths: Record<
        string,
        Record<
          string,
          { tags: string[]; requestBody?: unknown; responses: Record<string, unknown> }
        >
      >;
    };
    const list = spec.paths['/blog/api/entries']!;
    const detail = spec.paths['/blog/api/entries/{slug}']!;
    expect(Object.keys(list).sort()).toEqual(['get', 'post']);
    expect(Object.keys(detail).sort()).toEqual(['delete', 'get', 'patch']);
    for (const op of [...Object.values(list), ...Object.values(detail)])
      expect(op.tags).toEqual(['blog']);
    expect(JSON.stringify(list.post!.requestBody)).toContain('"pubDate"');
    expect(Object.keys(list.get!.responses)).toContain('200');
    expect(
      Object.keys(spec.paths).filter((p) => p.startsWith('/blog/') && !p.startsWith('/blog/api')),
    ).toEqual([]);
  });
});
