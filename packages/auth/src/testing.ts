/**
 * @tessera/auth/testing — factories for tests of sites and apps that install auth:
 * `const ada = await makeUser(t, { displayName: 'Ada' })`, `await makeStaff(t)`,
 * `await makeGroup(t, { permissions: ['blog.add_entry'] })`. Built on @tessera/testing's
 * `factory()`; passwords are hashed with the site's own hashers.
 */
import { factory, type Factory } from '@tessera/testing';
import type { EntityManager } from '@tessera/core';
import type { Group } from './group.entity.ts';
import type { User } from './user.entity.ts';
import {
  addUserToGroup,
  createUser,
  ensureGroup,
  ensurePermissions,
  grantPermission,
  type NewUser,
} from './users.ts';

/** The password every factory-made user has unless told otherwise (it passes the built-in rules). */
export const TEST_PASSWORD = 'correct horse battery staple';

/** What `makeUser` and its kin take: `createUser`'s fields, plus permissions and groups. */
export interface UserOverrides extends NewUser {
  /** Codenames granted directly (declared first, so no `ensurePermissions` is needed). */
  permissions: string[];
  /** Groups the user joins. */
  groups: Group[];
}

/** What `makeGroup` takes. */
export interface GroupOverrides {
  name: string;
  /** Codenames the group holds (declared first). */
  permissions: string[];
}

async function buildUser(
  em: EntityManager,
  prefix: string,
  o: Partial<UserOverrides>,
  n: number,
): Promise<User> {
  const { permissions = [], groups = [], ...fields } = o;
  const user = await createUser(em, {
    ...fields,
    email: fields.email ?? `${prefix}${n}@example.com`,
    password: fields.password === undefined ? TEST_PASSWORD : fields.password,
  });
  await ensurePermissions(em, permissions);
  for (const codename of permissions) await grantPermission(em, user, codename);
  for (const group of groups) await addUserToGroup(em, user, group);
  return user;
}

/**
 * An active user, `user<n>@example.com` with `TEST_PASSWORD` unless told otherwise:
 * `makeUser(t, { email: 'ada@example.com', permissions: ['blog.add_entry'] })`.
 */
export const makeUser: Factory<User, UserOverrides> = factory((em, o, n) =>
  buildUser(em, 'user', o, n),
);

/** A staff user (`staff<n>@example.com`): passes `requireStaff`. */
export const makeStaff: Factory<User, UserOverrides> = factory((em, o, n) =>
  buildUser(em, 'staff', { isStaff: true, ...o }, n),
);

/** A superuser (`superuser<n>@example.com`), staff too: holds every permission. */
export const makeSuperuser: Factory<User, UserOverrides> = factory((em, o, n) =>
  buildUser(em, 'superuser', { isSuperuser: true, ...o }, n),
);

/** A group (`group<n>` unless named) holding `permissions`: `makeGroup(t, { name: 'editors' })`. */
export const makeGroup: Factory<Group, GroupOverrides> = factory(async (em, o, n) => {
  const permissions = o.permissions ?? [];
  await ensurePermissions(em, permissions);
  return ensureGroup(em, o.name ?? `group${n}`, permissions);
});
