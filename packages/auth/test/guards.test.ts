import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSite } from '@tessera/testing';
import {
  addUserToGroup,
  checkPassword,
  createUser,
  ensureGroup,
  ensurePermissions,
  findUserByEmail,
  grantPermission,
  normalizeEmail,
  Permission,
  removeUserFromGroup,
  requirePermission,
  revokePermission,
  setPassword,
} from '../src/index.ts';
import {
  DEFAULT_PASSWORD,
  authSite,
  login,
  makeGroup,
  makeStaff,
  makeSuperuser,
  makeUser,
} from './helpers.ts';
import { TEST_PASSWORD } from '../src/testing.ts';

let t: TestSite;
beforeAll(async () => {
  t = await authSite();
  await ensurePermissions(t.em(), [
    'blog.add_entry',
    { codename: 'blog.publish_entry', name: 'Can publish entries' },
  ]);
});
afterAll(() => t.close());

/** A user made by `make`, and a browser signed in as them. */
async function signedIn(make: typeof makeUser = makeUser) {
  const user = await make(t);
  const c = t.client();
  await login(c, user.email);
  return { user, c };
}

describe('guards', () => {
  it('requireStaff lets staff through, refuses others with 403 and sends anonymous visitors to login', async () => {
    const staff = await signedIn(makeStaff);
    expect((await staff.c.get('/staff')).statusCode).toBe(200);
    const plain = await signedIn();
    const refused = await plain.c.get('/staff');
    expect(refused.statusCode).toBe(403);
    const anonymous = await t.client().get('/staff');
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe('/accounts/login?next=%2Fstaff');
  });

  it('requirePermission accepts a permission held directly, through a group, or as superuser', async () => {
    const direct = await signedIn();
    expect((await direct.c.get('/blog/new')).statusCode).toBe(403);
    await grantPermission(t.em(), direct.user, 'blog.add_entry');
    expect((await direct.c.get('/blog/new')).statusCode).toBe(200);
    expect((await direct.c.get('/whoami')).body).toContain('(may add entries)');
    await revokePermission(t.em(), direct.user, 'blog.add_entry');
    expect((await direct.c.get('/blog/new')).statusCode).toBe(403);

    const member = await signedIn();
    const editors = await makeGroup(t, { permissions: ['blog.add_entry'] });
    await addUserToGroup(t.em(), member.user, editors);
    expect((await member.c.get('/blog/new')).statusCode).toBe(200);
    await removeUserFromGroup(t.em(), member.user, editors);
    expect((await member.c.get('/blog/new')).statusCode).toBe(403);
    await addUserToGroup(t.em(), member.user, editors);
    await revokePermission(t.em(), editors, 'blog.add_entry');
    expect((await member.c.get('/blog/new')).statusCode).toBe(403);

    const root = await signedIn(makeSuperuser);
    expect(root.user.isStaff).toBe(true);
    expect((await root.c.get('/blog/new')).statusCode).toBe(200);
    expect((await root.c.get('/staff')).statusCode).toBe(200);
  });

  it('answers JSON routes with 401 and 403 problem bodies', async () => {
    const anonymous = await t.client().get('/api/me');
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['content-type']).toContain('application/problem+json');
    expect(anonymous.json()).toMatchObject({ status: 401, code: 'TESSERA_AUTH_LOGIN_REQUIRED' });
    const acceptJson = await t
      .client()
      .get('/private', { headers: { accept: 'application/json' } });
    expect(acceptJson.statusCode).toBe(401);

    const { user, c } = await signedIn();
    const me = await c.get('/api/me');
    expect(me.json().user).toMatchObject({ email: user.email, isStaff: false });
    const denied = await c.get('/api/publish');
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toMatchObject({ status: 403, code: 'TESSERA_AUTH_PERMISSION_DENIED' });
    expect(denied.json().detail).toContain('blog.publish_entry');
  });

  it('needs at least one codename', () => {
    expect(() => requirePermission()).toThrow('requirePermission needs at least one codename.');
  });
});

describe('services other apps use', () => {
  it('createUser keeps emails unique whatever their case and normalises the domain', async () => {
    const em = t.em();
    const user = await createUser(em, {
      email: ' Mixed.Case@EXAMPLE.Org ',
      password: DEFAULT_PASSWORD,
    });
    expect(user.email).toBe('Mixed.Case@example.org');
    await expect(createUser(t.em(), { email: 'mixed.case@example.org' })).rejects.toMatchObject({
      code: 'TESSERA_AUTH_EMAIL_TAKEN',
    });
    expect((await findUserByEmail(t.em(), 'MIXED.CASE@example.org'))?.id).toBe(user.id);
    expect(normalizeEmail('no-at-sign')).toBe('no-at-sign');
  });

  it('two registrations racing for one email make one user', async () => {
    const results = await Promise.allSettled([
      createUser(t.em(), { email: 'race@example.com' }),
      createUser(t.em(), { email: 'RACE@example.com' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({
      reason: { code: 'TESSERA_AUTH_EMAIL_TAKEN' },
    });
  });

  it('the database refuses a second email differing only in case, even past the services', async () => {
    await makeUser(t, { email: 'unique@example.com' });
    const insert = t
      .em()
      .getConnection()
      .execute(
        "insert into auth_user (email, email_key, password_hash, date_joined) values ('UNIQUE@example.com', 'unique@example.com', '!', now())",
      );
    await expect(insert).rejects.toThrow(/auth_user_email_key_unique/);
  });

  it('setPassword and checkPassword work with the site hasher', async () => {
    const em = t.em();
    const user = await createUser(em, { email: 'svc@example.com' });
    expect(await checkPassword(em, user, DEFAULT_PASSWORD)).toBe(false);
    await setPassword(em, user, 'another good passphrase');
    expect(await checkPassword(em, user, 'another good passphrase')).toBe(true);
    expect(user.passwordHash).toMatch(/^\$argon2id\$v=19\$m=8,t=1,p=1\$/);
    await setPassword(em, user, null);
    expect(await checkPassword(em, user, 'another good passphrase')).toBe(false);
  });

  it('ensurePermissions is idempotent, keeps labels, and refuses malformed codenames', async () => {
    const em = t.em();
    await ensurePermissions(em, ['blog.publish_entry', 'contact-form.view_message']);
    await ensurePermissions(em, []);
    const publish = await t.em().findOneOrFail(Permission, { codename: 'blog.publish_entry' });
    expect(publish.name).toBe('Can publish entries');
    expect(await t.em().count(Permission, { codename: 'contact-form.view_message' })).toBe(1);
    await expect(ensurePermissions(em, ['Blog Add'])).rejects.toMatchObject({
      code: 'TESSERA_AUTH_INVALID_CODENAME',
    });
    const user = await makeUser(t);
    await expect(grantPermission(em, user, 'blog.never_declared')).rejects.toMatchObject({
      code: 'TESSERA_AUTH_UNKNOWN_PERMISSION',
    });
  });

  it('ensureGroup answers the existing group the second time', async () => {
    const a = await ensureGroup(t.em(), 'authors');
    const b = await ensureGroup(t.em(), 'authors');
    expect(b.id).toBe(a.id);
  });
});

describe('test factories (@tessera/auth/testing)', () => {
  it('makeUser makes distinct active users who sign in with TEST_PASSWORD', async () => {
    const [a, b] = await makeUser.many(t, 2);
    expect(a!.email).not.toBe(b!.email);
    expect(a).toMatchObject({ isActive: true, isStaff: false, isSuperuser: false });
    expect((await login(t.client(), b!.email, TEST_PASSWORD)).statusCode).toBe(303);
  });

  it('makeStaff and makeSuperuser set the flags; a superuser is staff too', async () => {
    expect(await makeStaff(t)).toMatchObject({ isStaff: true, isSuperuser: false });
    expect(await makeSuperuser(t)).toMatchObject({ isStaff: true, isSuperuser: true });
  });

  it('grants permissions directly or through a group made by makeGroup', async () => {
    const direct = await makeUser(t, { permissions: ['blog.add_entry'] });
    const reviewers = await makeGroup(t, { name: 'reviewers', permissions: ['blog.review'] });
    expect(reviewers.name).toBe('reviewers');
    const member = await makeUser(t, { groups: [reviewers] });
    for (const [user, path] of [
      [direct, '/blog/new'],
      [member, '/blog/review'],
    ] as const) {
      const c = t.client();
      await login(c, user.email);
      expect((await c.get(path)).statusCode).toBe(200);
    }
  });
});
