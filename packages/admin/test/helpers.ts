import { argon2id, auth } from '@tessera/auth';
import { TEST_PASSWORD, makeStaff } from '@tessera/auth/testing';
import {
  createTestSite,
  type TestClient,
  type TestSite,
  type TestSiteOptions,
} from '@tessera/testing';
import { expect } from 'vitest';
import { admin, type AdminOptions } from '../src/index.ts';
import { Book, shelf } from './fixtures/shelf.ts';

/** argon2id at its cheapest: signing in stays fast in tests. */
const FAST_ARGON2 = { memoryCost: 8, timeCost: 1, parallelism: 1 };
/** Where the tests mount each app. */
export const MOUNTS = { auth: '/accounts', admin: '/admin' };
/** The shelf's change list. */
export const BOOKS = '/admin/shelf/book';

/** A site with auth, the shelf fixture app and the admin (debug on: responses count their queries). */
export function adminSite(
  options: Partial<AdminOptions> = {},
  more: Partial<TestSiteOptions> = {},
): Promise<TestSite> {
  return createTestSite({
    ...more,
    apps: [
      auth({ passwordHashers: [argon2id(FAST_ARGON2)] }),
      shelf(),
      ...(more.apps ?? []),
      admin(options),
    ],
    routes: { mounts: MOUNTS, ...more.routes },
    settings: { debug: true, ...more.settings },
  });
}

/** A staff user `email` holding `permissions` (the admin declared them at boot). */
export const makeStaffUser = (t: TestSite, email: string, permissions: string[] = []) =>
  makeStaff(t, { email, permissions });

/** A client signed in as `email` (made with auth's test factories). */
export async function signIn(t: TestSite, email: string): Promise<TestClient> {
  const c = t.client();
  const res = await c.post(`${MOUNTS.auth}/login`, { email, password: TEST_PASSWORD });
  expect(res.statusCode, res.body).toBe(303);
  return c;
}

/** Saves books with these titles (author "Anon", unpublished unless said). */
export async function makeBooks(t: TestSite, titles: string[], published = false): Promise<Book[]> {
  const em = t.em();
  const books = titles.map((title) => em.create(Book, { title, author: 'Anon', published }));
  await em.flush();
  return books;
}

/** The number of SQL statements a debug site's response reports. */
export function queriesOf(res: { headers: Record<string, unknown> }): number {
  const m = /desc="(\d+) queries"/.exec(String(res.headers['server-timing'] ?? ''));
  if (!m) throw new Error(`No query count in server-timing: ${res.headers['server-timing']}`);
  return Number(m[1]);
}

/** The titles a change list shows, in order. */
export function titles(body: string): string[] {
  return [...body.matchAll(/<th scope="row"><a href="[^"]+">([^<]+)<\/a><\/th>/g)].map(
    (m) => m[1]!,
  );
}

export { Book };
