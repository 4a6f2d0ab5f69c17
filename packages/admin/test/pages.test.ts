import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordHook, type TestClient, type TestSite } from '@tessera/testing';
import { makeSuperuser } from '@tessera/auth/testing';
import {
  BOOKS,
  adminSite,
  makeBooks,
  makeStaffUser,
  queriesOf,
  signIn,
  titles,
} from './helpers.ts';

let t: TestSite;
let root: TestClient;

beforeAll(async () => {
  t = await adminSite(
    { pageSize: 3 },
    { settings: { templates: new URL('./fixtures/site-templates/', import.meta.url) } },
  );
  await makeSuperuser(t, { email: 'root@example.com' });
  await makeStaffUser(t, 'editor@example.com', ['shelf.change_book']);
  root = await signIn(t, 'root@example.com');
});
afterAll(() => t?.close());

const idOf = async (title: string) =>
  (await t.em().execute<{ id: number }[]>('select id from shelf_book where title = ?', [title]))[0]!
    .id;

describe('the change list', () => {
  beforeAll(async () => {
    await makeBooks(t, ['Emma', 'Dune', 'Beloved', 'Carrie', 'Atonement']);
    await makeBooks(t, ['Faust'], true);
  });

  it('lists objects in the registered order, a page at a time', async () => {
    const first = await root.get(BOOKS);
    expect(first.statusCode).toBe(200);
    expect(titles(first.body)).toEqual(['Atonement', 'Beloved', 'Carrie']);
    expect(first.body).toContain('6 books');
    expect(first.body).toContain('Page 1 of 2');
    const second = await root.get(`${BOOKS}?page=2`);
    expect(titles(second.body)).toEqual(['Dune', 'Emma', 'Faust']);
    expect((await root.get(`${BOOKS}?page=3`)).statusCode).toBe(404);
    expect((await root.get(`${BOOKS}?page=0`)).statusCode).toBe(404);
  });

  it('runs the same number of SQL statements whatever the page size', async () => {
    const counts: number[] = [];
    for (const pageSize of [1, 4, 50]) {
      const s = await adminSite({ pageSize });
      try {
        await makeSuperuser(s, { email: 'root@example.com' });
        await makeBooks(s, ['A', 'B', 'C', 'D', 'E', 'F', 'G']);
        const c = await signIn(s, 'root@example.com');
        const res = await c.get(`${BOOKS}?q=&published=0&o=-author`);
        expect(titles(res.body).length).toBe(Math.min(pageSize, 7));
        counts.push(queriesOf(res));
      } finally {
        await s.close();
      }
    }
    expect(new Set(counts).size).toBe(1);
  });

  it('searches the registered fields, case-insensitively and literally', async () => {
    expect(titles((await root.get(`${BOOKS}?q=EMM`)).body)).toEqual(['Emma']);
    expect(titles((await root.get(`${BOOKS}?q=anon`)).body)).toEqual([
      'Atonement',
      'Beloved',
      'Carrie',
    ]);
    expect(titles((await root.get(`${BOOKS}?q=%25`)).body)).toEqual([]);
  });

  it('filters by a boolean and by a date period, and keeps the filter in its links', async () => {
    const published = await root.get(`${BOOKS}?published=1`);
    expect(titles(published.body)).toEqual(['Faust']);
    expect(published.body).toContain('<strong aria-current="true">Yes</strong>');
    expect(titles((await root.get(`${BOOKS}?published=0&q=e`)).body)).toEqual([
      'Atonement',
      'Beloved',
      'Carrie',
    ]);
    expect((await root.get(`${BOOKS}?createdAt=today`)).body).toContain('6 books');
    // An unknown choice is no filter.
    expect((await root.get(`${BOOKS}?published=maybe`)).body).toContain('6 books');
  });

  it('orders by a column when asked, either way', async () => {
    expect(titles((await root.get(`${BOOKS}?o=-title`)).body)).toEqual(['Faust', 'Emma', 'Dune']);
    const asc = await root.get(`${BOOKS}?o=title`);
    expect(asc.body).toContain('aria-sort="ascending"');
    expect(asc.body).toContain('href="/admin/shelf/book?o=-title"');
  });

  it('renders the site’s per-entity template before the admin’s own', async () => {
    const res = await root.get(BOOKS);
    expect(res.headers['x-tessera-template']).toBe('admin/shelf/book/change_list.njk');
    expect(res.body).toContain("<title>The shelf's own list");
    expect((await root.get('/admin/')).headers['x-tessera-template']).toBe('admin/index.njk');
    // Per app: every page of the shelf's entities without one of their own.
    const add = await root.get(`${BOOKS}/add`);
    expect(add.headers['x-tessera-template']).toBe('admin/shelf/change_form.njk');
    expect(add.body).toContain('<title>A shelf page');
  });
});

describe('adding, changing and deleting', () => {
  it('adds through the app’s service (its hook fires) and logs who added what', async () => {
    const saved = recordHook(t.site.hooks, 'shelf:book-saved');
    const res = await root.post(`${BOOKS}/add`, { title: 'Gilead', author: 'Robinson' });
    expect(res.statusCode, res.body).toBe(303);
    expect(res.headers.location).toBe(BOOKS);
    expect(saved.map((c) => c.title)).toEqual(['Gilead']);
    const home = await root.get('/admin/');
    expect(home.body).toContain('root@example.com:');
    expect(home.body).toMatch(/added\s+book “Gilead”/);
  });

  it('shows the app’s field errors beside the fields and saves nothing', async () => {
    const res = await root.post(`${BOOKS}/add`, { title: 'Untitled', author: 'X' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('Give it a title.');
    const missing = await root.post(`${BOOKS}/add`, { title: '', author: 'X' });
    expect(missing.statusCode).toBe(422);
    expect(await t.em().execute("select 1 from shelf_book where title = 'Untitled'")).toEqual([]);
  });

  it('changes through the app’s form, and logs which fields changed on the object’s page', async () => {
    await makeBooks(t, ['Hamlet']);
    const id = await idOf('Hamlet');
    const c = await signIn(t, 'editor@example.com');
    const page = await c.get(`${BOOKS}/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('value="Hamlet"');
    expect(page.body).toContain('Created at');
    const res = await c.post(`${BOOKS}/${id}`, { title: 'Hamlet', author: 'Shakespeare' });
    expect(res.statusCode, res.body).toBe(303);
    const after = await c.get(`${BOOKS}/${id}`);
    expect(after.body).toContain('value="Shakespeare"');
    expect(after.body).toMatch(/editor@example.com:\s+changed\s+book “Hamlet”: author/);
    // Without the delete permission, no delete.
    expect(after.body).not.toContain(`${BOOKS}/${id}/delete`);
    expect((await c.post(`${BOOKS}/${id}/delete`, {})).statusCode).toBe(403);
  });

  it('deletes after a confirmation, through the app’s service', async () => {
    await makeBooks(t, ['Ivanhoe']);
    const id = await idOf('Ivanhoe');
    const confirm = await root.get(`${BOOKS}/${id}/delete`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Delete the book “Ivanhoe”?');
    const res = await root.post(`${BOOKS}/${id}/delete`, {});
    expect(res.statusCode).toBe(303);
    expect(await t.em().execute('select 1 from shelf_book where id = ?', [id])).toEqual([]);
    expect((await root.get('/admin/')).body).toMatch(/deleted\s+book “Ivanhoe”/);
  });
});

describe('bulk actions', () => {
  it('runs an action on the ticked objects and says what it did', async () => {
    await makeBooks(t, ['Jane Eyre', 'Kim']);
    const ids = [await idOf('Jane Eyre'), await idOf('Kim')];
    const res = await root.post(BOOKS, { action: 'publish', ids });
    expect(res.statusCode).toBe(303);
    const rows = await t
      .em()
      .execute<{ published: boolean }[]>('select published from shelf_book where id in (?)', [ids]);
    expect(rows.every((r) => r.published)).toBe(true);
    const list = await root.get(BOOKS);
    expect(list.body).toContain('Published 2 book(s).');
    const page = await root.get(`${BOOKS}/${ids[1]}`);
    expect(page.body).toMatch(/ran “publish” on\s+book “Kim”/);
  });

  it('checks an action’s own permission', async () => {
    const c = await signIn(t, 'editor@example.com');
    const id = await idOf('Kim');
    expect((await c.post(BOOKS, { action: 'withdraw', ids: [id] })).statusCode).toBe(403);
    const res = await root.post(BOOKS, { action: 'withdraw', ids: [id], next: `${BOOKS}/${id}` });
    expect(res.headers.location).toBe(`${BOOKS}/${id}`);
    expect((await root.get(`${BOOKS}/${id}`)).body).toContain(
      'Withdraw selected books: done for 1 book.',
    );
  });

  it('refuses an unknown action, bad ids, and goes back when nothing is ticked', async () => {
    expect((await root.post(BOOKS, { action: 'burn', ids: ['1'] })).statusCode).toBe(400);
    expect((await root.post(BOOKS, { action: 'publish', ids: ['x'] })).statusCode).toBe(400);
    const none = await root.post(BOOKS, { action: 'publish' });
    expect(none.statusCode).toBe(303);
    expect((await root.get(BOOKS)).body).toContain('Select at least one object');
    const json = await root.post(
      BOOKS,
      { action: 'publish' },
      { headers: { accept: 'application/json' } },
    );
    expect(json.statusCode).toBe(400);
    expect(json.headers['content-type']).toContain('application/problem+json');
  });
});
