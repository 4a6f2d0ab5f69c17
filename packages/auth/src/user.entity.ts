import { defineEntity, p } from '@tessera/core';
import { Group } from './group.entity.ts';
import { Permission } from './permission.entity.ts';

/** The longest email address the site accepts (RFC 5321 path limit). */
export const EMAIL_MAX_LENGTH = 254;
/** The longest display name. */
export const DISPLAY_NAME_MAX_LENGTH = 150;

/**
 * A person who can sign in. The email is the login name and is unique whatever its case (a unique
 * index on `lower(email)`); the case the user typed is kept for mail.
 */
export const UserSchema = defineEntity({
  name: 'User',
  tableName: 'auth_user',
  properties: {
    id: p.integer().primary(),
    email: p.string().length(EMAIL_MAX_LENGTH),
    displayName: p.string().length(DISPLAY_NAME_MAX_LENGTH).default(''),
    /** An encoded hash (`$argon2id$…`), or one starting with `!` when no password can sign in. */
    passwordHash: p.string().length(255),
    isActive: p.boolean().default(true),
    isStaff: p.boolean().default(false),
    isSuperuser: p.boolean().default(false),
    lastLogin: p.datetime().nullable(),
    dateJoined: p.datetime().onCreate(() => new Date()),
    groups: () => p.manyToMany(Group).pivotTable('auth_user_groups'),
    userPermissions: () => p.manyToMany(Permission).pivotTable('auth_user_permissions'),
  },
  uniques: [
    {
      name: 'auth_user_email_ci_unique',
      expression: 'create unique index "auth_user_email_ci_unique" on "auth_user" (lower("email"))',
    },
  ],
});

/** A user account. Other apps relate to it (`author: () => p.manyToOne(User)`). */
export class User extends UserSchema.class {}
UserSchema.setClass(User);
