import type { EntityManager } from '@tessera/core';
import { emailKey, normalizeEmail } from './emails.ts';
import { EmailTaken, InvalidCodename, InvalidEmail, UnknownPermission } from './errors.ts';
import { Group } from './group.entity.ts';
import { Permission } from './permission.entity.ts';
import { UNUSABLE_PASSWORD_PREFIX } from './passwords.ts';
import { runtimeFor } from './runtime.ts';
import { EMAIL_MAX_LENGTH, User } from './user.entity.ts';

/** What `createUser` takes. No password (or null) makes an account nobody can sign in to yet. */
export interface NewUser {
  email: string;
  password?: string | null;
  displayName?: string;
  isActive?: boolean;
  isStaff?: boolean;
  isSuperuser?: boolean;
}

/** A permission codename: `<app>.<action>` (`blog.add_entry`, `contact-form.view_message`). */
export const CODENAME = /^[a-z][a-z0-9-]*\.[a-z][a-z0-9_]*$/;

/**
 * True when `email` fits the columns once normalised (compatibility forms can grow an address):
 * the views refuse a longer one as not valid, `createUser` throws `InvalidEmail`.
 */
export function storableEmail(email: string): boolean {
  return (
    normalizeEmail(email).length <= EMAIL_MAX_LENGTH && emailKey(email).length <= EMAIL_MAX_LENGTH
  );
}

/** The name pages call a user by: the display name, else the email address. */
export function nameOf(user: { displayName: string; email: string }): string {
  return user.displayName || user.email;
}

/**
 * The user with `email`, whatever its case, width or invisible characters (one query on the
 * unique `email_key`).
 */
export async function findUserByEmail(em: EntityManager, email: string): Promise<User | null> {
  return em.findOne(User, { emailKey: emailKey(email) });
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { name?: string; code?: string };
  return e?.name === 'UniqueConstraintViolationException' || e?.code === '23505';
}

/**
 * Creates and saves a user; the password is hashed with the site's preferred hasher. Throws
 * `EmailTaken` when an account has the same `emailKey`, `InvalidEmail` when the address is too
 * long once normalised. Password rules are the caller's to apply (the views and
 * `tessera createuser` do).
 */
export async function createUser(em: EntityManager, input: NewUser): Promise<User> {
  const email = normalizeEmail(input.email);
  if (!storableEmail(email)) throw new InvalidEmail(EMAIL_MAX_LENGTH);
  if (await findUserByEmail(em, email)) throw new EmailTaken(email);
  const user = em.create(User, {
    email,
    emailKey: emailKey(email),
    displayName: input.displayName?.trim() ?? '',
    passwordHash: await hashOrUnusable(em, input.password),
    isActive: input.isActive ?? true,
    isStaff: input.isStaff ?? input.isSuperuser ?? false,
    isSuperuser: input.isSuperuser ?? false,
    lastLogin: null,
    dateJoined: new Date(),
  });
  try {
    await em.persist(user).flush();
  } catch (err) {
    // Two registrations raced past the check above: the unique index decides.
    if (isUniqueViolation(err)) throw new EmailTaken(email);
    throw err;
  }
  return user;
}

async function hashOrUnusable(em: EntityManager, password: string | null | undefined) {
  if (password === undefined || password === null)
    return `${UNUSABLE_PASSWORD_PREFIX}${crypto.randomUUID()}`;
  return runtimeFor(em).passwords.hash(password);
}

/** Sets (and saves) a new password; `null` leaves the account with no usable password. */
export async function setPassword(
  em: EntityManager,
  user: User,
  password: string | null,
): Promise<void> {
  user.passwordHash = await hashOrUnusable(em, password);
  await em.flush();
}

/** True when `password` is the user's (constant work whether or not it matches). */
export async function checkPassword(
  em: EntityManager,
  user: User,
  password: string,
): Promise<boolean> {
  return (await runtimeFor(em).passwords.check(user.passwordHash, password)).ok;
}

/** A codename and an optional label for `ensurePermissions`. */
export type PermissionSpec = string | { codename: string; name?: string };

/**
 * Declares permissions so they can be granted: creates the missing ones, keeps the rest
 * (idempotent, one statement). Other apps call it with their codenames (`['blog.add_entry']`).
 */
export async function ensurePermissions(
  em: EntityManager,
  specs: readonly PermissionSpec[],
): Promise<void> {
  const list = specs.map((s) =>
    typeof s === 'string' ? { codename: s, name: '' } : { name: '', ...s },
  );
  for (const p of list) {
    if (!CODENAME.test(p.codename)) throw new InvalidCodename(p.codename);
  }
  if (!list.length) return;
  await em.execute(
    `insert into auth_permission (codename, name) values ${list.map(() => '(?, ?)').join(', ')}
     on conflict (codename) do update set name = case when excluded.name = '' then auth_permission.name else excluded.name end`,
    list.flatMap((p) => [p.codename, p.name ?? '']),
  );
}

async function permissionId(em: EntityManager, codename: string): Promise<number> {
  const perm = await em.findOne(Permission, { codename });
  if (!perm) throw new UnknownPermission(codename);
  return perm.id;
}

function target(who: User | Group): { table: string; column: string } {
  return who instanceof Group
    ? { table: 'auth_group_permissions', column: 'group_id' }
    : { table: 'auth_user_permissions', column: 'user_id' };
}

/** Gives a user or a group a declared permission (no-op when it already holds it). */
export async function grantPermission(
  em: EntityManager,
  who: User | Group,
  codename: string,
): Promise<void> {
  const id = await permissionId(em, codename);
  const { table, column } = target(who);
  await em.execute(
    `insert into ${table} (${column}, permission_id) values (?, ?) on conflict do nothing`,
    [who.id, id],
  );
}

/** Takes a permission away from a user or a group. */
export async function revokePermission(
  em: EntityManager,
  who: User | Group,
  codename: string,
): Promise<void> {
  const id = await permissionId(em, codename);
  const { table, column } = target(who);
  await em.execute(`delete from ${table} where ${column} = ? and permission_id = ?`, [who.id, id]);
}

/** The group named `name`, created when missing, holding (at least) `codenames`. */
export async function ensureGroup(
  em: EntityManager,
  name: string,
  codenames: readonly string[] = [],
): Promise<Group> {
  let group = await em.findOne(Group, { name });
  if (!group) {
    group = em.create(Group, { name });
    await em.persist(group).flush();
  }
  for (const c of codenames) await grantPermission(em, group, c);
  return group;
}

/** Puts a user in a group (no-op when already a member). */
export async function addUserToGroup(em: EntityManager, user: User, group: Group): Promise<void> {
  await em.execute(
    'insert into auth_user_groups (user_id, group_id) values (?, ?) on conflict do nothing',
    [user.id, group.id],
  );
}

/** Takes a user out of a group. */
export async function removeUserFromGroup(
  em: EntityManager,
  user: User,
  group: Group,
): Promise<void> {
  await em.execute('delete from auth_user_groups where user_id = ? and group_id = ?', [
    user.id,
    group.id,
  ]);
}
