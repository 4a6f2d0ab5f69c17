// What auth offers the admin: users (search, flags, groups, direct permissions, activation, a
// password reset through auth's own mail), groups with their permissions, and the permissions
// themselves, read-only (apps and the admin declare them).
import { defineAdmin, defineForm, fields } from '@tessera/core';
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

const permissionsField = fields.textarea({
  label: 'Permissions',
  required: false,
  maxLength: 10_000,
  help: 'One codename a line (blog.change_entry); see Permissions for the list.',
});

/** The admin's form for a user. A password is never set here: see the reset action. */
export const UserAdminForm = defineForm({
  name: 'user-admin',
  fields: {
    // The same email and name fields as registration asks for.
    email: RegisterForm.fields.email,
    displayName: RegisterForm.fields.displayName,
    isActive: fields.checkbox({ label: 'Active (may sign in)' }),
    isStaff: fields.checkbox({ label: 'Staff (may use the admin)' }),
    isSuperuser: fields.checkbox({ label: 'Superuser (holds every permission)' }),
    groups: fields.textarea({
      label: 'Groups',
      required: false,
      maxLength: 10_000,
      help: 'One group name a line.',
    }),
    permissions: permissionsField,
  },
});

/** The admin's form for a group. */
export const GroupAdminForm = defineForm({
  name: 'group-admin',
  fields: {
    name: fields.text({ label: 'Name', maxLength: 150 }),
    permissions: permissionsField,
  },
});

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
      form: UserAdminForm,
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
        groups: (await groupNames(ctx.em, row.id)).join('\n'),
        permissions: (await heldCodenames(ctx.em, 'user', row.id)).join('\n'),
      }),
      save: (ctx, row, data) => saveUserFromAdmin(ctx, row?.id ?? null, data),
    },
    {
      name: 'group',
      entity: Group,
      columns: ['name'],
      search: ['name'],
      ordering: ['name'],
      form: GroupAdminForm,
      initial: async (ctx, row) => ({
        ...row,
        permissions: (await heldCodenames(ctx.em, 'group', row.id)).join('\n'),
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
