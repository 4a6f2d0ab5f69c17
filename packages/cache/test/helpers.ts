import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { defineApp, type InstalledApp, type SiteRoutes } from '@tessera/core';
import { freePort } from '@tessera/core/internal';
import { createTestSite, type TestSite } from '@tessera/testing';
import { cache, type CacheLogger } from '../src/index.ts';

/** The shared Redis every machine of the project runs. */
export const REDIS_URL = 'redis://127.0.0.1:6379';

/** A key prefix no other test file (or run) uses, so parallel tests never collide in Redis. */
export function uniquePrefix(file: string): string {
  return `t-cache-${file}-${randomBytes(4).toString('hex')}`;
}

/** A logger that remembers what it was told. */
export function recordingLog(): CacheLogger & {
  warnings: string[];
  infos: string[];
  error(o: object, m: string): void;
} {
  const warnings: string[] = [];
  const infos: string[] = [];
  return {
    warnings,
    infos,
    warn: (_o, m) => void warnings.push(m),
    info: (_o, m) => void infos.push(m),
    error: (_o, m) => void warnings.push(m),
  };
}

/** A promise someone else resolves. */
export function gate<T = void>(): { promise: Promise<T>; open(value: T): void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((r) => (open = r));
  return { promise, open };
}

/** Deletes every key under `prefix` from the shared Redis (never FLUSHALL). */
export async function dropKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** A Redis server of this test's own, on a free loopback port, that the test can stop and start. */
export class OwnRedis {
  readonly port: number;
  #child: ChildProcess | undefined;

  private constructor(port: number) {
    this.port = port;
  }

  static async start(): Promise<OwnRedis> {
    const own = new OwnRedis(await freePort());
    await own.start();
    return own;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
      ],
      { stdio: 'ignore' },
    );
    this.#child = child;
    await waitFor(async () => {
      const probe = new Redis(this.url, {
        lazyConnect: true,
        retryStrategy: () => null,
        maxRetriesPerRequest: 0,
      });
      probe.on('error', () => {});
      try {
        await probe.connect();
        return (await probe.ping()) === 'PONG';
      } catch {
        return false;
      } finally {
        probe.disconnect();
      }
    });
  }

  /** Stops the server by its PID and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    this.#child = undefined;
  }
}

/** Polls `check` until it answers true (at most 20 s). */
export async function waitFor(check: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('waited 20 s for a condition that never held');
}

declare module '@tessera/core' {
  interface HookPayloads {
    'notes:saved': { slug: string };
    'notes:counted': Record<string, never>;
    'notes:broken': Record<string, never>;
  }
}

/** An app that fires hooks (and names none of the cache's): for the site's `hookTags`. */
export const notes = defineApp({
  name: 'notes',
  hooks: ['notes:saved', 'notes:counted', 'notes:broken'],
});

/**
 * Stands in for the auth app: the user id kept in the session becomes `request.user` in a
 * preHandler hook (as late as an auth app may fill it); `POST /test-login` signs in.
 */
export const fakeAuth = defineApp({
  name: 'fake-auth',
  setup(fastify) {
    fastify.addHook('preHandler', async function loadUser(request) {
      const id = (request.session as unknown as { get(k: string): unknown }).get('uid');
      if (typeof id === 'number')
        request.user = {
          id,
          email: 'u@example.com',
          displayName: 'U',
          isActive: true,
          isStaff: false,
          isSuperuser: false,
          hasPermission: () => false,
        };
    });
  },
  routes(fastify) {
    fastify.post('/test-login', async (request) => {
      (request.session as unknown as { set(k: string, v: unknown): void }).set('uid', 7);
      return { ok: true };
    });
  },
});

/** A small "blog" the response cache is tested on: entries in a real table, read per request. */
export interface EntriesSite extends TestSite {
  /** How many times each route's handler ran. */
  renders: Record<string, number>;
  /** Changes an entry's title in the database (what saving an entry does). */
  retitle(slug: string, title: string): Promise<void>;
}

/** Builds a test site with the cache app and the entries routes. */
export async function entriesSite(opts: {
  apps?: InstalledApp[];
  cacheOptions: Parameters<typeof cache>[0];
  register?: SiteRoutes['register'];
}): Promise<EntriesSite> {
  const renders: Record<string, number> = {};
  const count = (name: string) => (renders[name] = (renders[name] ?? 0) + 1);
  const t = await createTestSite({
    apps: [fakeAuth(), ...(opts.apps ?? []), cache(opts.cacheOptions)],
    routes: {
      mounts: { 'fake-auth': '/' },
      async register(fastify, site) {
        fastify.get(
          '/entries',
          { config: { name: 'entries', cache: { ttl: 60, tags: ['blog:list'] } } },
          async (request, reply) => {
            count('entries');
            const rows = await request.em
              .getConnection()
              .execute<{ slug: string; title: string }[]>(
                'select slug, title from cache_test_entry order by slug',
              );
            return reply.render('cache-test/list.njk', { rows });
          },
        );
        fastify.get<{ Params: { slug: string } }>(
          '/entries/:slug',
          { config: { name: 'entry', cache: { ttl: 60 } } },
          async (request, reply) => {
            count('entry');
            const [row] = await request.em
              .getConnection()
              .execute<{ title: string }[]>('select title from cache_test_entry where slug = ?', [
                request.params.slug,
              ]);
            if (!row) return reply.status(404).send({ title: 'Not found' });
            reply.cacheTags(`blog:entry:${request.params.slug}`);
            return { slug: request.params.slug, title: row.title };
          },
        );
        await opts.register?.(fastify, site);
      },
    },
    settings: { templates: new URL('./templates/', import.meta.url) },
  });
  await t
    .em()
    .getConnection()
    .execute('create table cache_test_entry (slug text primary key, title text not null)');
  await t
    .em()
    .getConnection()
    .execute(
      "insert into cache_test_entry (slug, title) values ('hello', 'Hello'), ('second', 'Second')",
    );
  return {
    ...t,
    renders,
    retitle: async (slug, title) => {
      await t
        .em()
        .getConnection()
        .execute('update cache_test_entry set title = ? where slug = ?', [title, slug]);
    },
  };
}

/** A TCP proxy on a free loopback port, in front of a Redis: cut it to simulate an outage that keeps the data. */
export class TcpProxy {
  readonly port: number;
  readonly #target: number;
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();

  private constructor(port: number, target: number) {
    this.port = port;
    this.#target = target;
  }

  static async start(target: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(await freePort(), target);
    await proxy.restore();
    return proxy;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Listens again: Redis is reachable. */
  async restore(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.#target, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.#server = server;
  }

  /** Drops every connection and refuses new ones: Redis is unreachable, its data kept. */
  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const s of this.#sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
