import { argon2id, auth, createUser, grantPermission, type User } from '@tessera/auth';
import { tagging } from '@tessera/tagging';
import type { CurrentUser } from '@tessera/core';
import {
  createTestSite,
  type TestClient,
  type TestSite,
  type TestSiteOptions,
} from '@tessera/testing';
import { expect } from 'vitest';
import { blog, type BlogOptions } from '../src/index.ts';

/** A password auth's rules accept. */
export const DEFAULT_PASSWORD = 'correct horse battery staple';
/** argon2id at its cheapest: signing in stays fast in tests. */
const FAST_ARGON2 = { memoryCost: 8, timeCost: 1, parallelism: 1 };
/** Where the tests mount each app. */
export const MOUNTS = { auth: '/accounts', tagging: '/tags', blog: '/blog' };
/** The blog's three permissions. */
export const ALL_PERMISSIONS = ['blog.add_entry', 'blog.change_entry', 'blog.delete_entry'];

/** A site with auth, tagging, the blog and `more.apps` (debug on: responses report their query count). */
export function blogSite(
  options: Partial<BlogOptions> = {},
  more: Partial<TestSiteOptions> = {},
): Promise<TestSite> {
  return createTestSite({
    ...more,
    apps: [
      auth({ passwordHashers: [argon2id(FAST_ARGON2)] }),
      tagging(),
      blog(options),
      ...(more.apps ?? []),
    ],
    routes: { mounts: MOUNTS, ...more.routes },
    settings: { debug: true, ...more.settings },
  });
}

/** A user holding `permissions`; staff when asked. */
export async function makeUser(
  t: TestSite,
  email: string,
  opts: { permissions?: string[]; staff?: boolean; displayName?: string } = {},
): Promise<User> {
  const em = t.em();
  const user = await createUser(em, {
    email,
    password: DEFAULT_PASSWORD,
    isStaff: opts.staff ?? false,
    displayName: opts.displayName ?? '',
  });
  for (const p of opts.permissions ?? []) await grantPermission(em, user, p);
  return user;
}

/** A client signed in as `email`. */
export async function signIn(t: TestSite, email: string): Promise<TestClient> {
  const c = t.client();
  const res = await c.post(`${MOUNTS.auth}/login`, { email, password: DEFAULT_PASSWORD });
  expect(res.statusCode, res.body).toBe(303);
  return c;
}

/** What `request.user` would be for `user`, for calling services directly. */
export function asCurrent(user: User, staff = user.isStaff): CurrentUser {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    isActive: true,
    isStaff: staff,
    isSuperuser: false,
    hasPermission: () => true,
  };
}

/** Saves an entry through the blog's own service (the factory the blog publishes for tests). */
export { makeEntry } from '../src/testing.ts';

/** How many SQL queries the response says it took (debug sites send `server-timing`). */
export function queriesOf(res: { headers: Record<string, unknown> }): number {
  const m = /desc="(\d+) queries"/.exec(String(res.headers['server-timing'] ?? ''));
  if (!m) throw new Error(`No query count in server-timing: ${res.headers['server-timing']}`);
  return Number(m[1]);
}

/** The number of entries in the database. */
export async function entryCount(t: TestSite): Promise<number> {
  const [row] = await t.em().execute<{ n: number }[]>('select count(*)::int as n from blog_entry');
  return row!.n;
}
