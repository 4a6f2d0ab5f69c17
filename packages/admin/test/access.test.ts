import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSite } from '@tessera/testing';
import { makeSuperuser, makeUser } from '@tessera/auth/testing';
import { modelPermissions } from '../src/index.ts';
import { BOOKS, adminSite, makeBooks, makeStaffUser, signIn } from './helpers.ts';

let t: TestSite;

beforeAll(async () => {
  t = await adminSite();
  await makeBooks(t, ['Dune']);
  await makeSuperuser(t, { email: 'root@example.com' });
  await makeUser(t, { email: 'plain@example.com', permissions: ['shelf.change_book'] });
  await makeStaffUser(t, 'bare@example.com');
  await makeStaffUser(t, 'viewer@example.com', ['shelf.view_book']);
});
afterAll(() => t?.close());

describe('who may use the admin', () => {
  it('sends an anonymous visitor to the login page, with a way back', async () => {
    const res = await t.client().get('/admin/');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/accounts/login?next=%2Fadmin%2F');
  });

  it('refuses a signed-in user who is not staff, whatever their permissions', async () => {
    const c = await signIn(t, 'plain@example.com');
    expect((await c.get('/admin/')).statusCode).toBe(403);
    expect((await c.get(BOOKS)).statusCode).toBe(403);
  });

  it('shows staff without permissions an empty home and refuses them every list', async () => {
    const c = await signIn(t, 'bare@example.com');
    const home = await c.get('/admin/');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('no permission to manage anything');
    // A change someone made to books is not theirs to see either.
    const root = await signIn(t, 'root@example.com');
    await root.post(`${BOOKS}/add`, { title: 'Secret', author: 'X' });
    expect((await root.get('/admin/')).body).toContain('Secret');
    expect((await c.get('/admin/')).body).not.toContain('Secret');
    expect((await c.get(BOOKS)).statusCode).toBe(403);
    expect((await c.get(`${BOOKS}/add`)).statusCode).toBe(403);
  });

  it('lets a user with the view permission read but not change, add, delete or act', async () => {
    const c = await signIn(t, 'viewer@example.com');
    const list = await c.get(BOOKS);
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain('Add book');
    expect(list.body).not.toContain('name="action"');
    const [id] = (await t.em().execute<{ id: number }[]>('select id from shelf_book'))!.map(
      (r) => r.id,
    );
    const page = await c.get(`${BOOKS}/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('<form method="post" action="/admin/shelf/book/');
    expect((await c.post(`${BOOKS}/${id}`, { title: 'X', author: 'Y' })).statusCode).toBe(403);
    expect((await c.post(`${BOOKS}/add`, { title: 'X', author: 'Y' })).statusCode).toBe(403);
    expect((await c.get(`${BOOKS}/${id}/delete`)).statusCode).toBe(403);
    expect((await c.post(BOOKS, { action: 'publish', ids: [id] })).statusCode).toBe(403);
  });

  it('lets a superuser do everything', async () => {
    const c = await signIn(t, 'root@example.com');
    const home = await c.get('/admin/');
    expect(home.body).toContain('href="/admin/shelf/book"');
    expect(home.body).toContain('href="/admin/shelf/book/add"');
  });

  it('answers 404 for an entity no app registered, and for a malformed id', async () => {
    const c = await signIn(t, 'root@example.com');
    expect((await c.get('/admin/shelf/nope')).statusCode).toBe(404);
    expect((await c.get('/admin/auth/nope')).statusCode).toBe(404);
    expect((await c.get(`${BOOKS}/abc`)).statusCode).toBe(404);
    expect((await c.get(`${BOOKS}/99999`)).statusCode).toBe(404);
  });

  it('refuses a change without a CSRF token', async () => {
    const c = await signIn(t, 'root@example.com');
    const res = await c.post(`${BOOKS}/add`, { title: 'T', author: 'A' }, { csrf: false });
    expect(res.statusCode).toBe(403);
  });
});

describe('the permissions the admin checks', () => {
  it('exist for every registered entity and every action that names its own, once booted', async () => {
    const rows = await t
      .em()
      .execute<{ codename: string; name: string }[]>(
        "select codename, name from auth_permission where codename like 'shelf.%' order by codename",
      );
    expect(rows).toEqual([
      { codename: 'shelf.add_book', name: 'Can add book' },
      { codename: 'shelf.change_book', name: 'Can change book' },
      { codename: 'shelf.delete_book', name: 'Can delete book' },
      { codename: 'shelf.view_book', name: 'Can view book' },
      { codename: 'shelf.withdraw_book', name: '' },
    ]);
    expect(modelPermissions([]).length).toBe(0);
  });
});
