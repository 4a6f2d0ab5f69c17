import type { FastifyRequest } from 'fastify';
import type { CurrentUser, EntityManager } from '@tessera/core';
import type { AuthRuntime } from './runtime.ts';
import { safeEqual } from './passwords.ts';
import { sessionAuthHash } from './tokens.ts';
import { nameOf } from './users.ts';
import type { User } from './user.entity.ts';

/** The session keys auth owns. */
export const SESSION_USER_ID = 'authUserId';
export const SESSION_AUTH_HASH = 'authHash';
export const SESSION_RESET_TOKEN = 'authResetToken';

/** The signed-in user as `request.user` shows it: plain values and a permission set, no ORM. */
export class AuthenticatedUser implements CurrentUser {
  readonly id: number;
  readonly email: string;
  readonly displayName: string;
  readonly isActive: boolean;
  readonly isStaff: boolean;
  readonly isSuperuser: boolean;
  /** Every codename held directly or through a group. */
  readonly permissions: ReadonlySet<string>;

  constructor(row: UserRow) {
    this.id = row.id;
    this.email = row.email;
    this.displayName = row.display_name;
    this.isActive = row.is_active;
    this.isStaff = row.is_staff;
    this.isSuperuser = row.is_superuser;
    this.permissions = new Set(row.permissions);
  }

  /** The name to show: the display name, else the email. */
  get shortName(): string {
    return nameOf(this);
  }

  hasPermission(codename: string): boolean {
    return this.isActive && (this.isSuperuser || this.permissions.has(codename));
  }

  toJSON(): Record<string, unknown> {
    return {
      id: this.id,
      email: this.email,
      displayName: this.displayName,
      isStaff: this.isStaff,
      isSuperuser: this.isSuperuser,
    };
  }
}

interface UserRow {
  id: number;
  email: string;
  display_name: string;
  password_hash: string;
  is_active: boolean;
  is_staff: boolean;
  is_superuser: boolean;
  permissions: string[];
}

// The user and every permission it holds, directly or through its groups: one round trip.
const CURRENT_USER_SQL = `
select u.id, u.email, u.display_name, u.password_hash, u.is_active, u.is_staff, u.is_superuser,
       array(select p.codename from auth_permission p where p.id in (
               select up.permission_id from auth_user_permissions up where up.user_id = u.id
               union
               select gp.permission_id from auth_group_permissions gp
                 join auth_user_groups ug on ug.group_id = gp.group_id
                where ug.user_id = u.id)
             order by p.codename) as permissions
  from auth_user u
 where u.id = ? and u.is_active`;

/** Loads an active user with its permissions (one query); null when missing or inactive. */
export async function loadCurrentUser(
  em: EntityManager,
  id: number,
): Promise<{ user: AuthenticatedUser; passwordHash: string } | null> {
  const [row] = await em.getConnection().execute<UserRow[]>(CURRENT_USER_SQL, [id]);
  return row ? { user: new AuthenticatedUser(row), passwordHash: row.password_hash } : null;
}

/**
 * Fills `request.user` from the session: nothing to do (no query) without a signed-in session;
 * one query with one. A session whose password hash no longer matches (the password changed
 * elsewhere) is signed out.
 */
export function currentUserHook(runtime: AuthRuntime) {
  return async function loadUserFromSession(request: FastifyRequest): Promise<void> {
    const session = request.session;
    const id = session?.get(SESSION_USER_ID);
    if (typeof id !== 'number') return;
    const found = await loadCurrentUser(request.em, id);
    const expected = found ? sessionAuthHash(runtime.sessionKey, found.passwordHash) : '';
    if (!found || !safeEqual(expected, String(session.get(SESSION_AUTH_HASH) ?? ''))) {
      session.set(SESSION_USER_ID, undefined);
      session.set(SESSION_AUTH_HASH, undefined);
      return;
    }
    request.user = found.user;
  };
}

/**
 * Signs `user` in on this request: a new session id (no fixation; the old session and its CSRF
 * secret are dropped), the user id and the password-bound hash stored, `request.user` filled.
 */
export async function startSession(
  runtime: AuthRuntime,
  request: FastifyRequest,
  user: User,
): Promise<void> {
  await request.session.regenerate();
  request.session.set(SESSION_USER_ID, user.id);
  request.session.set(SESSION_AUTH_HASH, sessionAuthHash(runtime.sessionKey, user.passwordHash));
  request.user = (await loadCurrentUser(request.em, user.id))?.user ?? null;
}
