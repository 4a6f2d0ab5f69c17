import type { FastifyInstance } from 'fastify';
import type { Response } from 'light-my-request';
import { JOBS_SCHEMA } from '@tessera/core';
import {
  createTestSite,
  type TestClient,
  type TestSite,
  type TestSiteOptions,
} from '@tessera/testing';
import {
  argon2id,
  auth,
  requirePermission,
  requireStaff,
  requireUser,
  type AuthOptions,
  type PasswordHasher,
} from '../src/index.ts';
import { TEST_PASSWORD } from '../src/testing.ts';

export { makeGroup, makeStaff, makeSuperuser, makeUser } from '../src/testing.ts';
/** The password factory-made users have; every built-in rule accepts it. */
export const DEFAULT_PASSWORD = TEST_PASSWORD;

// The test site's own pages, declared as a site declares its routes: redirects may name them.
declare module '@tessera/core' {
  interface RouteParams {
    home: Record<string, never>;
    welcome: Record<string, never>;
    whoami: Record<string, never>;
    private: Record<string, never>;
  }
}
/** argon2id at its cheapest: tests stay fast; the upgrade path is tested against other costs. */
export const FAST_ARGON2 = { memoryCost: 8, timeCost: 1, parallelism: 1 };
export const FIXTURE_TEMPLATES = new URL('./fixtures/templates/', import.meta.url);

/** A hasher that counts how often it verifies (proves unknown emails cost a check too). */
export function countingHasher(params = FAST_ARGON2): PasswordHasher & { verifications: number } {
  const inner = argon2id(params);
  const counter = {
    ...inner,
    verifications: 0,
    verify: async (encoded: string, password: string) => {
      counter.verifications += 1;
      return inner.verify(encoded, password);
    },
  };
  return counter;
}

/** The site's own pages the tests guard. */
function registerPages(fastify: FastifyInstance): void {
  fastify.get('/', { config: { name: 'home' } }, async () => ({ page: 'home' }));
  fastify.get('/welcome', { config: { name: 'welcome' } }, async () => ({ page: 'welcome' }));
  fastify.get('/whoami', { config: { name: 'whoami' } }, async (_request, reply) =>
    reply.render('whoami.njk'),
  );
  fastify.get(
    '/private',
    { config: { name: 'private' }, preHandler: requireUser },
    async (request) => ({
      email: request.user!.email,
    }),
  );
  fastify.get('/staff', { config: { name: 'staff' }, preHandler: requireStaff }, async () => ({
    page: 'staff',
  }));
  fastify.get(
    '/blog/new',
    { config: { name: 'blog-new' }, preHandler: requirePermission('blog.add_entry') },
    async () => ({ page: 'new entry' }),
  );
  fastify.get(
    '/blog/review',
    { config: { name: 'blog-review' }, preHandler: requirePermission('blog.review') },
    async () => ({ page: 'review' }),
  );
  fastify.get(
    '/api/me',
    { config: { name: 'api-me', api: true }, preHandler: requireUser },
    async (request) => ({ user: request.user }),
  );
  fastify.get(
    '/api/publish',
    {
      config: { name: 'api-publish', api: true },
      preHandler: requirePermission('blog.publish_entry'),
    },
    async () => ({ ok: true }),
  );
}

/** What a site passes to `auth(...)`: any subset of the options. */
export type AuthInput = Partial<AuthOptions>;

/** A site with auth at /accounts, the pages above, cheap hashing, debug on (query counts). */
export function authSite(
  options: AuthInput = {},
  more: Partial<TestSiteOptions> = {},
): Promise<TestSite> {
  return createTestSite({
    apps: [auth({ passwordHashers: [argon2id(FAST_ARGON2)], ...options })],
    routes: { mounts: { auth: '/accounts' }, register: registerPages },
    ...more,
    settings: { debug: true, templates: FIXTURE_TEMPLATES, ...more.settings },
  });
}

let nextAddress = 1;
/**
 * A browser at an address of its own (the site must trust the proxy header), so tests do not
 * share the per-address sign-in counts.
 */
export function browserAt(t: TestSite, ip = `192.0.2.${nextAddress++}`): TestClient {
  const c = t.client();
  const post = c.post.bind(c);
  c.post = (url, body, opts = {}) =>
    post(url, body, { ...opts, headers: { ...opts.headers, 'x-forwarded-for': ip } });
  return c;
}

/** Signs `client` in through the login form. */
export function login(
  client: TestClient,
  email: string,
  password = DEFAULT_PASSWORD,
  extra: Record<string, string> = {},
): Promise<Response> {
  return client.post('/accounts/login', { email, password, ...extra });
}

/** How many SQL queries the request ran (the site runs with debug on: Server-Timing says). */
export function queriesOf(res: Response): number {
  const m = /desc="(\d+) queries"/.exec(String(res.headers['server-timing'] ?? ''));
  if (!m) throw new Error('No Server-Timing header: run the site with debug on.');
  return Number(m[1]);
}

/** The pg-boss tables (partitions included) with a row whose text holds `needle`. */
export async function tablesHolding(t: TestSite, needle: string): Promise<string[]> {
  const conn = t.site.orm.em.getConnection();
  const tables = await conn.execute<{ name: string }[]>(
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = ? and c.relkind in ('r', 'p') order by 1`,
    [JOBS_SCHEMA],
  );
  // A check that reads no table would find nothing anywhere.
  if (!tables.some((r) => r.name === 'job')) throw new Error(`No ${JOBS_SCHEMA}.job table here.`);
  const holding: string[] = [];
  for (const { name } of tables) {
    const [row] = await conn.execute<{ n: number }[]>(
      `select count(*)::int as n from "${JOBS_SCHEMA}"."${name}" r where r::text ilike ?`,
      [`%${needle}%`],
    );
    if (row!.n > 0) holding.push(name);
  }
  return holding;
}
