import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSite, type TestClient, type TestSite } from '@tessera/testing';
import { argon2id, auth } from '@tessera/auth';
import { TEST_PASSWORD, makeStaff, makeSuperuser, makeUser } from '@tessera/auth/testing';
import { admin } from '../src/index.ts';

const FAST_ARGON2 = { memoryCost: 8, timeCost: 1, parallelism: 1 };

// Auth registers users, groups and permissions with the admin: a superuser manages who may do
// what without SQL, through auth's own services.

const USERS = '/admin/auth/user';
const GROUPS = '/admin/auth/group';
let t: TestSite;
let root: TestClient;

async function signIn(email: string): Promise<TestClient> {
  const c = t.client();
  const res = await c.post('/accounts/login', { email, password: TEST_PASSWORD });
  expect(res.statusCode).toBe(303);
  return c;
}

const idOf = async (table: string, column: string, value: string) =>
  (
    await t.em().execute<{ id: number }[]>(`select id from ${table} where ${column} = ?`, [value])
  )[0]?.id;

const groupsOf = async (email: string) =>
  (
    await t
      .em()
      .execute<{ name: string }[]>(
        'select g.name from auth_group g join auth_user_groups ug on ug.group_id = g.id join auth_user u on u.id = ug.user_id where u.email = ? order by g.name',
        [email],
      )
  ).map((r) => r.name);

beforeAll(async () => {
  t = await createTestSite({
    apps: [auth({ passwordHashers: [argon2id(FAST_ARGON2)] }), admin()],
    routes: { mounts: { auth: '/accounts', admin: '/admin' } },
  });
  await makeSuperuser(t, { email: 'root@example.com' });
  root = await signIn('root@example.com');
});
afterAll(() => t?.close());

describe('groups and users in the admin', () => {
  it('creates a group holding a permission, then puts a user in it', async () => {
    const created = await root.post(`${GROUPS}/add`, {
      name: 'editors',
      permissions: ['auth.view_user', 'auth.change_user'],
    });
    expect(created.statusCode, created.body).toBe(303);
    const groupId = (await idOf('auth_group', 'name', 'editors'))!;
    const page = await root.get(`${GROUPS}/${groupId}`);
    expect(page.body).toMatch(/value="auth.change_user" id="id_permissions_\d+" checked/);
    expect(page.body).toMatch(/value="auth.add_user" id="id_permissions_\d+">/);

    await makeStaff(t, { email: 'ed@example.com' });
    const userId = (await idOf('auth_user', 'email', 'ed@example.com'))!;
    const form = await root.get(`${USERS}/${userId}`);
    expect(form.body).toContain('value="ed@example.com"');
    const res = await root.post(`${USERS}/${userId}`, {
      email: 'ed@example.com',
      isActive: 'on',
      isStaff: 'on',
      groups: 'editors',
    });
    expect(res.statusCode, res.body).toBe(303);
    expect(await groupsOf('ed@example.com')).toEqual(['editors']);
    // The group's permissions now let ed into the users' list.
    const ed = await signIn('ed@example.com');
    expect((await ed.get(USERS)).statusCode).toBe(200);
    expect((await ed.get(GROUPS)).statusCode).toBe(403);
  });

  it('refuses an unknown group or permission and changes nothing', async () => {
    await makeStaff(t, { email: 'nobody@example.com' });
    const id = (await idOf('auth_user', 'email', 'nobody@example.com'))!;
    const res = await root.post(`${USERS}/${id}`, {
      email: 'renamed@example.com',
      isActive: 'on',
      groups: 'ghosts',
      permissions: 'blog.fly',
    });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('&quot;ghosts&quot; is not one of the available choices');
    expect(await idOf('auth_user', 'email', 'nobody@example.com')).toBe(id);
    const group = await root.post(`${GROUPS}/add`, { name: 'x', permissions: 'blog.fly' });
    expect(group.statusCode).toBe(422);
    expect(group.body).toContain('&quot;blog.fly&quot; is not one of the available choices');
    const taken = await root.post(`${GROUPS}/add`, { name: 'editors' });
    expect(taken.body).toContain('A group is already named editors.');
  });

  it('lets only a superuser grant superuser status', async () => {
    const ed = await signIn('ed@example.com');
    await makeStaff(t, { email: 'climber@example.com' });
    const id = (await idOf('auth_user', 'email', 'climber@example.com'))!;
    const res = await ed.post(`${USERS}/${id}`, {
      email: 'climber@example.com',
      isActive: 'on',
      isStaff: 'on',
      isSuperuser: 'on',
    });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('Only a superuser may change this.');
  });

  it('adds a user without a password, and searches users', async () => {
    const res = await root.post(`${USERS}/add`, {
      email: 'New@Example.com',
      displayName: 'Newcomer',
      isActive: 'on',
    });
    expect(res.statusCode, res.body).toBe(303);
    const [row] = await t
      .em()
      .execute<{ password_hash: string }[]>(
        "select password_hash from auth_user where email = 'New@example.com'",
      );
    expect(row!.password_hash.startsWith('!')).toBe(true);
    const dup = await root.post(`${USERS}/add`, { email: 'new@example.com', isActive: 'on' });
    expect(dup.statusCode).toBe(422);
    const found = await root.get(`${USERS}?q=newcomer`);
    expect(found.body).toContain('New@example.com');
    expect(found.body).not.toContain('root@example.com</a>');
  });

  it('deactivates and activates users, never the one acting, and mails a reset link', async () => {
    await makeUser(t, { email: 'leaving@example.com' });
    const id = (await idOf('auth_user', 'email', 'leaving@example.com'))!;
    const me = (await idOf('auth_user', 'email', 'root@example.com'))!;
    await root.post(USERS, { action: 'deactivate', ids: [id, me] });
    const active = await t
      .em()
      .execute<{ email: string; is_active: boolean }[]>(
        'select email, is_active from auth_user where id in (?) order by id',
        [[id, me]],
      );
    expect(active.map((r) => r.is_active)).toEqual([true, false]);
    await root.post(USERS, { action: 'activate', ids: [id] });
    await root.post(USERS, { action: 'send-password-reset', ids: [id] });
    await t.site.jobs.drain({ only: 'auth:send-reset' });
    expect(t.outbox.at(-1)?.to).toEqual(['leaving@example.com']);
  });

  it('lists permissions read-only, and deletes a group', async () => {
    const perms = await root.get('/admin/auth/permission?q=change_user');
    expect(perms.body).toContain('auth.change_user');
    expect(perms.body).not.toContain('Add permission');
    await root.post(`${GROUPS}/add`, { name: 'temporary' });
    const id = (await idOf('auth_group', 'name', 'temporary'))!;
    expect((await root.post(`${GROUPS}/${id}/delete`, {})).statusCode).toBe(303);
    expect(await idOf('auth_group', 'name', 'temporary')).toBeUndefined();
  });
});
