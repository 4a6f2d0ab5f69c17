// Faults, with services of the test's own (never the shared PostgreSQL at 5432 or Redis at 6379):
// PostgreSQL restarted under load (503s during the outage, served again within 5 s, no crash);
// Redis stopped (the cache is bypassed, no error); SMTP unreachable (contact messages wait as
// pending and all go out once it is back, none lost, none twice). Each restores what it stopped.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ensureDatabase,
  freePort,
  startEmbedded,
  type EmbeddedServer,
} from '@tessera/core/internal';
import { startSmtpCapture, type SmtpCapture, type TestSite } from '@tessera/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, NO_RATE_LIMIT, Visitor, hardeningSite, seed, visitorAs } from './helpers.ts';
import {
  TcpProxy,
  send,
  serveSite,
  sleep,
  startRedis,
  waitFor,
  type Outcome,
  type OwnRedis,
  type ServedSite,
} from './processes.ts';

/** How soon after PostgreSQL is back every request must succeed again. */
const RECOVERY_MS = 5_000;

describe('PostgreSQL restarted while a load runs', () => {
  let root: string | undefined;
  let embedded: EmbeddedServer | undefined;
  let proxy: TcpProxy | undefined;
  let site: ServedSite | undefined;
  afterAll(async () => {
    await site?.stop(5_000);
    await proxy?.close();
    await embedded?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it('answers 503 during the outage (never 500, never a crash) and serves again within 5 s', async () => {
    root = mkdtempSync(join(tmpdir(), 'tessera-pg-restart-'));
    const dataDir = join(root, 'postgres');
    embedded = await startEmbedded(dataDir);
    await ensureDatabase(embedded.serverUrl, 'hardening');
    // The site reaches PostgreSQL through a proxy: the restarted server listens on a new port.
    const portOf = (url: string) => Number(new URL(url).port);
    proxy = await new TcpProxy(portOf(embedded.serverUrl)).listen();
    const through = embedded.serverUrl.replace(/:\d+$/, `:${proxy.port}`);
    site = await serveSite({ HARDENING_DATABASE_URL: `${through}/hardening` });
    const s = site;

    // Pages that need the database on every request (none of them cached).
    const paths = ['/readyz', '/tags', '/accounts/login', '/accounts/register', '/contact'];
    const outcomes: (Outcome & { path: string })[] = [];
    let running = true;
    const loops = Array.from({ length: 4 }, async (_, i) => {
      for (let n = i; running; n++) {
        const path = paths[n % paths.length]!;
        outcomes.push({ ...(await send(`${s.url}${path}`, { timeoutMs: 10_000 })), path });
      }
    });
    try {
      await waitFor('the load to run', () => outcomes.length >= 40, 20_000);
      const downAt = Date.now();
      await embedded.stop();
      embedded = undefined;
      await waitFor(
        '503s during the outage',
        () => outcomes.some((o) => o.startedAt > downAt && o.status === 503),
        15_000,
      );
      await sleep(1_000);
      embedded = await startEmbedded(dataDir);
      proxy.to(portOf(embedded.serverUrl));
      const upAt = Date.now();
      await sleep(RECOVERY_MS + 1_500);
      running = false;
      await Promise.all(loops);

      // The process never died and never failed otherwise.
      expect(s.child.exitCode).toBeNull();
      const broken = outcomes.filter(
        (o) => o.status === undefined || (o.status >= 500 && o.status !== 503),
      );
      expect(broken.map((o) => `${o.path}: ${o.status ?? o.error}`)).toEqual([]);
      // Before the outage, everything succeeded; during it, the database's pages said 503.
      expect(outcomes.filter((o) => o.endedAt < downAt && o.status !== 200)).toEqual([]);
      const during = outcomes.filter((o) => o.startedAt > downAt && o.endedAt < upAt);
      expect(during.filter((o) => o.status === 503).length).toBeGreaterThan(0);
      for (const o of during.filter((x) => x.status === 503 && x.path !== '/readyz')) {
        expect(o.headers?.['retry-after'], o.path).toBe('5');
        expect(o.body.length).toBeGreaterThan(0);
      }
      // Recovery: from some moment within 5 s of the restart on, every request succeeded.
      const failing = outcomes.filter((o) => o.startedAt >= upAt && o.status !== 200);
      const lastFailure = Math.max(upAt, ...failing.map((o) => o.startedAt));
      expect(lastFailure - upAt).toBeLessThanOrEqual(RECOVERY_MS);
      expect(
        outcomes.filter((o) => o.startedAt > lastFailure && o.status === 200).length,
      ).toBeGreaterThan(20);
    } finally {
      running = false;
      await Promise.all(loops);
    }
    expect(await site.stop()).toEqual({ code: 0, signal: null });
    site = undefined;
  }, 120_000);
});

describe('Redis stopped while pages are served from the cache', () => {
  let redis: OwnRedis | undefined;
  let t: TestSite | undefined;
  afterAll(async () => {
    await t?.close();
    await redis?.stop();
  });

  it('bypasses the cache with no error, shows writes at once, and uses the cache again when Redis is back', async () => {
    redis = await startRedis();
    const port = redis.port;
    t = await hardeningSite({
      apps: { cache: { backend: 'redis', url: redis.url } },
      settings: { rateLimit: NO_RATE_LIMIT },
    });
    const site = t;
    const s = await seed(site);
    const entry = s.live.url;
    const pages = [
      '/',
      '/blog',
      entry,
      '/blog/feed/atom.xml',
      '/blog/api/entries',
      `/blog/tag/${s.tag}`,
    ];
    const anonymous = new Visitor(site.app, '10.80.0.1');
    const get = (url: string) => anonymous.send({ method: 'GET', url });
    for (const url of pages) await get(url);
    expect((await get(entry)).headers['x-cache']).toBe('HIT');

    const answers: {
      status: number;
      phase: string;
      path: string;
      startedAt: number;
      body: string;
    }[] = [];
    let phase = 'up';
    let writtenAt = Infinity;
    let running = true;
    const loops = Array.from({ length: 4 }, async (_, i) => {
      for (let n = i; running; n++) {
        const path = pages[n % pages.length]!;
        const startedAt = Date.now();
        const res = await get(path);
        answers.push({ status: res.statusCode, phase, path, startedAt, body: res.body });
        await sleep(5);
      }
    });
    try {
      await sleep(300);
      phase = 'down';
      await redis.stop();
      redis = undefined;
      await sleep(800);
      // A write while Redis is away: saved, and every page shows it at once.
      const admin = await visitorAs(site, ADMIN_EMAIL, '10.80.0.2');
      const edited = await admin.send({
        method: 'POST',
        url: `/blog/edit/${s.live.slug}`,
        form: {
          title: 'Written while Redis was away',
          slug: s.live.slug,
          body: 'New body.',
          excerpt: '',
          status: 'live',
          pubDate: '2024-03-05T10:00',
          tags: 'python, web',
        },
        token: true,
      });
      expect(edited.statusCode, edited.body.slice(0, 300)).toBe(303);
      writtenAt = Date.now();
      expect((await get(entry)).body).toContain('Written while Redis was away');
      expect((await get('/blog')).body).toContain('Written while Redis was away');
      await sleep(500);
      phase = 'back';
      redis = await startRedis(port);
      await waitFor(
        'the cache to be used again',
        async () => (await get('/blog')).headers['x-cache'] === 'HIT',
        15_000,
      );
    } finally {
      running = false;
      await Promise.all(loops);
    }
    expect(answers.filter((a) => a.status !== 200).map((a) => `${a.path}: ${a.status}`)).toEqual(
      [],
    );
    expect(answers.filter((a) => a.phase === 'down').length).toBeGreaterThan(20);
    // Every page of the entry asked for after the write shows it: nothing stale was served.
    const later = answers.filter((a) => a.path === entry && a.startedAt > writtenAt);
    expect(later.length).toBeGreaterThan(0);
    expect(later.filter((a) => !a.body.includes('Written while Redis was away'))).toEqual([]);
    // Back: the entry's page is stored again — the revised one, not a page from before the outage.
    let cached: { headers: Record<string, unknown>; body: string } | undefined;
    await waitFor(
      'the entry’s page to be served from the cache',
      async () => (cached = await get(entry)).headers['x-cache'] === 'HIT',
      15_000,
    );
    expect(cached!.body).toContain('Written while Redis was away');
  }, 90_000);
});

describe('SMTP unreachable while messages come in', () => {
  let smtp: SmtpCapture | undefined;
  let t: TestSite | undefined;
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('keeps every message as pending and delivers each exactly once when SMTP is back', async () => {
    const port = await freePort();
    t = await hardeningSite({
      settings: {
        rateLimit: NO_RATE_LIMIT,
        mail: {
          transport: `smtp://127.0.0.1:${port}`,
          from: 'site@example.com',
          managers: ['managers@example.com'],
        },
      },
    });
    const site = t;
    const markers = Array.from({ length: 12 }, (_, i) => `marker-${i}-${port}`);
    for (const [i, marker] of markers.entries()) {
      const v = new Visitor(site.app, `10.81.0.${i + 1}`);
      const res =
        i % 2
          ? await v.send({
              method: 'POST',
              url: '/contact/api',
              json: { name: 'Ada', email: 'ada@example.com', message: marker, topic: 'general' },
              token: true,
            })
          : await v.send({
              method: 'POST',
              url: '/contact',
              form: { name: 'Ada', email: 'ada@example.com', message: marker, topic: 'general' },
              token: true,
            });
      // The sender is thanked as usual: the message is kept, and mailed later.
      expect(res.statusCode, res.body.slice(0, 300)).toBe(i % 2 ? 202 : 303);
    }
    const states = async () =>
      site
        .em()
        .getConnection()
        .execute<{ state: string; n: number }[]>(
          'select state, count(*)::int as n from contact_form_message group by state order by state',
        );
    // Nothing went out in the requests. The delivery jobs (run here as a worker would) fail
    // against the absent server: every message waits, pending, for its job's retry.
    expect(await site.site.jobs.drain({ only: 'contact-form:deliver' })).toEqual({
      completed: 0,
      failed: markers.length,
    });
    const waiting = await states();
    expect(waiting).toEqual([{ state: 'pending', n: markers.length }]);
    expect(
      (await new Visitor(site.app, '10.81.1.1').send({ method: 'GET', url: '/contact' }))
        .statusCode,
    ).toBe(200);

    smtp = await startSmtpCapture({ port });
    const server = smtp;
    // The retries, without waiting out their backoff.
    expect(await site.site.jobs.drain({ only: 'contact-form:deliver', deferred: true })).toEqual({
      completed: markers.length,
      failed: 0,
    });
    // Nothing is left to run: still nothing sent twice.
    expect(await site.site.jobs.drain({ only: 'contact-form:deliver', deferred: true })).toEqual({
      completed: 0,
      failed: 0,
    });
    expect(await states()).toEqual([{ state: 'sent', n: markers.length }]);
    expect(server.messages).toHaveLength(markers.length);
    for (const marker of markers)
      expect(
        server.messages.filter((m) => m.data.includes(marker)),
        marker,
      ).toHaveLength(1);
  }, 90_000);
});
