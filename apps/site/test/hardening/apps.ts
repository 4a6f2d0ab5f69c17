// The site's apps as the hardening tests install them, and a probe app for the process tests.
// No vitest here: `fixtures/serve-settings.ts` imports this into `tessera serve` processes.
import { PassThrough } from 'node:stream';
import { argon2id, auth } from '@tessera/auth';
import { blog } from '@tessera/blog';
import { cache } from '@tessera/cache';
import { defineApp, type InstalledApp } from '@tessera/core';
import { base } from '../../src/settings/base.ts';

/** A password auth's rules accept. */
export const PASSWORD = 'correct horse battery staple';
/** argon2id at its cheapest: signing in stays fast in tests. */
export const FAST_ARGON2 = { memoryCost: 8, timeCost: 1, parallelism: 1 };
/** The superuser every seeded site has. */
export const ADMIN_EMAIL = 'admin@example.com';
/** A signed-in user with no permissions. */
export const READER_EMAIL = 'reader@example.com';
/** A rate limit no test reaches, for tests that send many requests from one address. */
export const NO_RATE_LIMIT = { max: 1_000_000, timeWindow: '1 minute' };

/** Options replacing those the site gives an app (`{ 'contact-form': { rateLimit: false } }`). */
export type AppOverrides = Record<string, Record<string, unknown>>;

/** The site's apps as its settings install them, with the given options merged over the site's. */
function withOverrides(apps: readonly InstalledApp[], overrides: AppOverrides): InstalledApp[] {
  return apps.map((a) =>
    overrides[a.spec.name]
      ? { spec: a.spec, input: { ...(a.input as object), ...overrides[a.spec.name] } }
      : a,
  );
}

/**
 * Every app the site installs (from `src/settings/base.ts`), plus the blog and the cache when the
 * settings do not install them, with fast password hashing and any option overrides.
 */
export function siteApps(
  overrides: AppOverrides = {},
  from: readonly InstalledApp[] = base.apps,
): InstalledApp[] {
  const apps = [...from];
  const has = (name: string) => apps.some((a) => a.spec.name === name);
  if (!has('auth')) apps.unshift(auth());
  if (!has('blog')) apps.push(blog());
  if (!has('cache')) apps.push(cache());
  return withOverrides(apps, {
    ...overrides,
    auth: { passwordHashers: [argon2id(FAST_ARGON2)], ...overrides.auth },
  });
}

/**
 * What the process tests ask a running site: `/probe/slow?ms=` answers its first line at once
 * (the request is accepted) and its last after `ms` and one query (the database is still there);
 * `/probe/ip` says which address the site believes the client has; `/probe/pid` which process
 * answered.
 */
export const probe = defineApp({
  name: 'probe',
  routes(fastify) {
    fastify.get<{ Querystring: { ms?: string } }>('/slow', async function slow(request, reply) {
      const ms = Math.min(Number(request.query.ms) || 300, 5_000);
      const body = new PassThrough();
      body.write(`accepted by ${process.pid}\n`);
      setTimeout(async () => {
        try {
          const [row] = await request.em
            .getConnection()
            .execute<{ one: number }[]>('select 1 as one');
          body.end(`done ${row!.one}\n`);
        } catch (err) {
          body.end(`failed: ${(err as Error).message}\n`);
        }
      }, ms);
      return reply.type('text/plain; charset=utf-8').header('cache-control', 'no-store').send(body);
    });
    fastify.get('/ip', async (request) => ({ ip: request.ip, protocol: request.protocol }));
    fastify.get('/pid', async () => ({ pid: process.pid }));
  },
});
