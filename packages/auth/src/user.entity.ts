import { defineEntity, p } from '@tessera/core';
import { emailKey } from './emails.ts';
import { Group } from './group.entity.ts';
import { Permission } from './permission.entity.ts';

/** The longest email address the site accepts (RFC 5321 path limit). */
export const EMAIL_MAX_LENGTH = 254;
/** The longest display name. */
export const DISPLAY_NAME_MAX_LENGTH = 150;

/**
 * A person who can sign in. The email is the login name, kept as the user typed it (normalised:
 * `normalizeEmail`) for mail; `emailKey` is its identity (`emailKey(email)`: case-folded,
 * compatibility-normalised), unique, and what every lookup compares — so `Ada@…`, `ａｄａ@…` and
 * `ad\u200ba@…` are one account.
 */
export const UserSchema = defineEntity({
  name: 'User',
  tableName: 'auth_user',
  properties: {
    id: p.integer().primary(),
    email: p.string().length(EMAIL_MAX_LENGTH),
    /** Kept in step with `email` on every write; lookups and uniqueness use it. */
    emailKey: p
      .string()
      .length(EMAIL_MAX_LENGTH)
      .unique()
      .onCreate((user: { email: string }) => emailKey(user.email))
      .onUpdate((user: { email: string }) => emailKey(user.email)),
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
});

/** A user account. Other apps relate to it (`author: () => p.manyToOne(User)`). */
export class User extends UserSchema.class {}
UserSchema.setClass(User);
