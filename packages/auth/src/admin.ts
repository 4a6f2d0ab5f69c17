// What auth offers the admin: users (search, flags, groups, direct permissions, activation, a
// password reset through auth's own mail), groups with their permissions, and the permissions
// themselves, read-only (apps and the admin declare them).
import {
  defineAdmin,
  defineForm,
  fields,
  type AdminContext,
  type EntityManager,
} from '@tessera/core';
import {
  groupNames,
  heldCodenames,
  saveGroupFromAdmin,
  saveUserFromAdmin,
  sendPasswordResets,
  setActive,
} from './admin-services.ts';
import { Group } from './group.entity.ts';
import { Permission } from './permission.entity.ts';
import { RegisterForm } from './forms.ts';
import { User } from './user.entity.ts';

/** The admin's form for a user, without its choices. A password is never set here: see the reset action. */
export const UserAdminForm = defineForm({
  name: 'user-admin',
  fields: {
    // The same email and name fields as registration asks for.
    email: RegisterForm.fields.email,
    displayName: RegisterForm.fields.displayName,
    isActive: fields.checkbox({ label: 'Active (may sign in)' }),
    isStaff: fields.checkbox({ label: 'Staff (may use the admin)' }),
    isSuperuser: fields.checkbox({ label: 'Superuser (holds every permission)' }),
  },
});

/** The admin's form for a group, without its choices. */
export const GroupAdminForm = defineForm({
  name: 'group-admin',
  fields: { name: fields.text({ label: 'Name', maxLength: 150 }) },
});

/** Every permission, as a checkbox each ("Can change entry (blog.change_entry)"). */
async function permissionsField(em: EntityManager) {
  const rows = await em.execute<{ codename: string; name: string }[]>(
    'select codename, name from auth_permission order by codename',
  );
  return fields.multipleChoice({
    label: 'Permissions',
    choices: rows.map(
      (r) => [r.codename, r.name ? `${r.name} (${r.codename})` : r.codename] as const,
    ),
  });
}

/** The user form with today's groups and permissions to tick. */
async function userForm(ctx: AdminContext) {
  const groups = await ctx.em.execute<{ name: string }[]>(
    'select name from auth_group order by name',
  );
  return UserAdminForm.extend({
    fields: {
      groups: fields.multipleChoice({
        label: 'Groups',
        choices: groups.map((g) => [g.name, g.name] as const),
      }),
      permissions: await permissionsField(ctx.em),
    },
  });
}

/** The group form with today's permissions to tick. */
async function groupForm(ctx: AdminContext) {
  return GroupAdminForm.extend({ fields: { permissions: await permissionsField(ctx.em) } });
}

const count = (n: number) => `${n} user${n === 1 ? '' : 's'}`;

/** Auth's admin registration. */
export const authAdmin = defineAdmin({
  entities: [
    {
      name: 'user',
      entity: User,
      columns: ['email', 'displayName', 'isActive', 'isStaff', 'isSuperuser', 'lastLogin'],
      search: ['email', 'displayName'],
      filters: ['isActive', 'isStaff', 'isSuperuser', 'dateJoined'],
      ordering: ['email'],
      form: userForm,
      readOnly: ['dateJoined', 'lastLogin'],
      actions: [
        {
          name: 'activate',
          label: 'Activate selected users',
          handler: async (ctx, ids) => `Activated ${count(await setActive(ctx.em, ids, true))}.`,
        },
        {
          name: 'deactivate',
          label: 'Deactivate selected users (they are signed out)',
          handler: async (ctx, ids) =>
            `Deactivated ${count(
              await setActive(
                ctx.em,
                ids.filter((id) => id !== ctx.user.id),
                false,
              ),
            )}.`,
        },
        {
          name: 'send-password-reset',
          label: 'Send a password reset link',
          handler: async (ctx, ids) =>
            `Queued a password reset link for ${count(await sendPasswordResets(ctx, ids))}.`,
        },
      ],
      initial: async (ctx, row) => ({
        ...row,
        groups: await groupNames(ctx.em, row.id),
        permissions: await heldCodenames(ctx.em, 'user', row.id),
      }),
      save: (ctx, row, data) => saveUserFromAdmin(ctx, row?.id ?? null, data),
    },
    {
      name: 'group',
      entity: Group,
      columns: ['name'],
      search: ['name'],
      ordering: ['name'],
      form: groupForm,
      initial: async (ctx, row) => ({
        ...row,
        permissions: await heldCodenames(ctx.em, 'group', row.id),
      }),
      save: (ctx, row, data) => saveGroupFromAdmin(ctx, row?.id ?? null, data),
      delete: async (ctx, row) => {
        await ctx.em.execute('delete from auth_group where id = ?', [row.id]);
      },
    },
    {
      name: 'permission',
      entity: Permission,
      columns: ['codename', 'name'],
      search: ['codename', 'name'],
      ordering: ['codename'],
    },
  ],
});
