// The writes auth's admin pages make, each in one transaction that checks everything first (an
// unknown group or permission changes nothing): users with their groups and direct permissions,
// groups with their permissions. Built on the same services as the rest of auth.
import {
  choose,
  invalidForm,
  transaction,
  type AdminContext,
  type EntityManager,
} from '@tessera/core';
import { emailKey, normalizeEmail } from './emails.ts';
import { EmailTaken } from './errors.ts';
import { Group } from './group.entity.ts';
import { Permission } from './permission.entity.ts';
import { AUTH } from './runtime.ts';
import { User } from './user.entity.ts';
import {
  addUserToGroup,
  createUser,
  grantPermission,
  removeUserFromGroup,
  revokePermission,
  storableEmail,
} from './users.ts';

/** The names ticked (a list), or typed one a line (or separated by commas): trimmed, each once. */
export function lines(given: unknown): string[] {
  const all = Array.isArray(given) ? given.map(String) : String(given ?? '').split(/[\n,]/);
  return [...new Set(all.map((s) => s.trim()).filter(Boolean))];
}

/** The groups named, or field errors naming those that do not exist. */
async function namedGroups(em: EntityManager, names: string[]): Promise<Group[]> {
  const found = names.length ? await em.find(Group, { name: { $in: names } }) : [];
  const missing = names.filter((n) => !found.some((g) => g.name === n));
  if (missing.length) throw invalidForm({ groups: [`No group is named ${missing.join(', ')}.`] });
  return found;
}

/** The permissions named, or field errors naming the unknown codenames. */
async function namedPermissions(em: EntityManager, codenames: string[]): Promise<Permission[]> {
  const found = codenames.length ? await em.find(Permission, { codename: { $in: codenames } }) : [];
  const missing = codenames.filter((c) => !found.some((p) => p.codename === c));
  if (missing.length)
    throw invalidForm({ permissions: [`No permission is called ${missing.join(', ')}.`] });
  return found;
}

/** The codenames `who` holds directly (a user) or as a group, in order. */
export async function heldCodenames(em: EntityManager, who: 'user' | 'group', id: number) {
  const rows = await em.execute<{ codename: string }[]>(
    who === 'user'
      ? 'select p.codename from auth_permission p join auth_user_permissions x on x.permission_id = p.id where x.user_id = ? order by p.codename'
      : 'select p.codename from auth_permission p join auth_group_permissions x on x.permission_id = p.id where x.group_id = ? order by p.codename',
    [id],
  );
  return rows.map((r) => r.codename);
}

/** The names of the groups a user is in, in order. */
export async function groupNames(em: EntityManager, userId: number): Promise<string[]> {
  const rows = await em.execute<{ name: string }[]>(
    'select g.name from auth_group g join auth_user_groups ug on ug.group_id = g.id where ug.user_id = ? order by g.name',
    [userId],
  );
  return rows.map((r) => r.name);
}

/** Makes `who`'s permissions exactly `wanted`: grants the missing, revokes the others. */
async function syncPermissions(
  em: EntityManager,
  who: User | Group,
  held: string[],
  wanted: Permission[],
) {
  for (const p of wanted)
    if (!held.includes(p.codename)) await grantPermission(em, who, p.codename);
  for (const c of held)
    if (!wanted.some((p) => p.codename === c)) await revokePermission(em, who, c);
}

/**
 * Adds (`id` null) or changes a user: email, name, flags, groups and direct permissions. Only a
 * superuser may grant or take away superuser status. A new user has no usable password: they set
 * one through the password reset (the "send password reset" action).
 */
export async function saveUserFromAdmin(
  ctx: AdminContext,
  id: number | null,
  data: Record<string, unknown>,
): Promise<number> {
  const email = normalizeEmail(String(data.email));
  if (!storableEmail(email)) throw invalidForm({ email: ['This address is too long.'] });
  const flags = {
    isActive: data.isActive === true,
    isStaff: data.isStaff === true,
    isSuperuser: data.isSuperuser === true,
  };
  return transaction(ctx.em, async (tx) => {
    const groups = await namedGroups(tx, lines(data.groups));
    const permissions = await namedPermissions(tx, lines(data.permissions));
    const before = id === null ? null : await tx.findOne(User, { id });
    if ((before?.isSuperuser ?? false) !== flags.isSuperuser && !ctx.user.isSuperuser)
      throw invalidForm({ isSuperuser: ['Only a superuser may change this.'] });
    let user: User;
    if (!before) {
      user = await createUser(tx, {
        email,
        displayName: String(data.displayName ?? ''),
        password: null,
        ...flags,
      }).catch((err: unknown) => {
        if (err instanceof EmailTaken) throw invalidForm({ email: [err.message] });
        throw err;
      });
    } else {
      user = before;
      const taken = await tx.findOne(User, { emailKey: emailKey(email), id: { $ne: user.id } });
      if (taken) throw invalidForm({ email: [new EmailTaken(email).message] });
      Object.assign(user, { email, displayName: String(data.displayName ?? '').trim(), ...flags });
      await tx.flush();
    }
    const inGroups = await groupNames(tx, user.id);
    for (const g of groups) if (!inGroups.includes(g.name)) await addUserToGroup(tx, user, g);
    for (const name of inGroups)
      if (!groups.some((g) => g.name === name))
        await removeUserFromGroup(tx, user, (await tx.findOneOrFail(Group, { name })) as Group);
    await syncPermissions(tx, user, await heldCodenames(tx, 'user', user.id), permissions);
    return user.id;
  });
}

/** Adds (`id` null) or changes a group: its name and permissions. */
export async function saveGroupFromAdmin(
  ctx: AdminContext,
  id: number | null,
  data: Record<string, unknown>,
): Promise<number> {
  const name = String(data.name).trim();
  return transaction(ctx.em, async (tx) => {
    const permissions = await namedPermissions(tx, lines(data.permissions));
    const taken = await tx.findOne(Group, { name, ...(id ? { id: { $ne: id } } : {}) });
    if (taken) throw invalidForm({ name: [`A group is already named ${name}.`] });
    const group = id === null ? tx.create(Group, { name }) : await tx.findOneOrFail(Group, { id });
    group.name = name;
    await tx.persist(group).flush();
    await syncPermissions(tx, group, await heldCodenames(tx, 'group', group.id), permissions);
    return group.id;
  });
}

/** Sets `isActive` on users; answers how many changed. */
export async function setActive(em: EntityManager, ids: number[], active: boolean) {
  const rows = await em.execute<{ id: number }[]>(
    'update auth_user set is_active = ? where id in (?) and is_active <> ? returning id',
    [active, ids, active],
  );
  return rows.length;
}

/**
 * Queues auth's own password-reset mail for each user (the `auth:send-reset` job the reset page
 * queues): the user sets a password through the link, as after "forgot your password".
 */
export async function sendPasswordResets(ctx: AdminContext, ids: number[]): Promise<number> {
  const { options: o } = ctx.site.state.get(AUTH);
  const { request } = ctx;
  const users = await ctx.em.execute<{ email: string }[]>(
    'select email from auth_user where id in (?) and is_active order by id',
    [ids],
  );
  for (const { email } of users)
    await ctx.site.jobs.enqueue('auth:send-reset', {
      email,
      origin: o.siteUrl || `${request.protocol}://${request.host}`,
      subjectTemplate: choose(o.passwordResetSubjectTemplate, request),
      emailTemplate: choose(o.passwordResetEmailTemplate, request),
    });
  return users.length;
}
