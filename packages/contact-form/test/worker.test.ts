// Delivery outside the request, on real PostgreSQL and real SMTP connections: a slow mail server
// never holds a visitor's request, and a worker process killed mid-send loses nothing — another
// worker delivers the message later, once. Every wait is bounded; nothing asserts how long
// anything took.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createTestSite,
  startSmtpCapture,
  type SmtpCapture,
  type TestSite,
} from '@tessera/testing';
import { contactForm } from '../src/index.ts';
import { DEFAULT_MESSAGE, DEFAULT_MOUNT, storedMessages } from './helpers.ts';

const TESSERA = join(
  dirname(createRequire(import.meta.url).resolve('@tessera/core/package.json')),
  'bin/tessera.js',
);
const SETTINGS = fileURLToPath(new URL('./fixtures/worker/settings.ts', import.meta.url));

/** Polls until `check` answers true; fails naming `what` after `ms`. */
async function until(what: string, check: () => boolean | Promise<boolean>, ms = 60_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`Never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A `tessera worker` process on `t`'s database, mailing through 127.0.0.1:`smtpPort`. */
async function startWorker(t: TestSite, smtpPort: number) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^(VITEST|NODE_OPTIONS|TESSERA_|WEB_CONCURRENCY|JOB_WORKERS)/.test(k),
    ),
  );
  const child: ChildProcess = spawn(
    process.execPath,
    ['--conditions=source', TESSERA, 'worker', '--settings', SETTINGS],
    {
      env: {
        ...clean,
        CONTACT_WORKER_DATABASE_URL: t.databaseUrl,
        CONTACT_WORKER_SMTP_PORT: String(smtpPort),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  await until(`the worker (${child.pid}) ready`, () => {
    if (child.exitCode !== null) throw new Error(`tessera worker exited:\n${output}`);
    return /Worker \d+ ready/.test(output);
  });
  return {
    child,
    output: () => output,
    exited,
    stop: (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

const servers: SmtpCapture[] = [];
const sites: TestSite[] = [];
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const s of sites) await s.close();
  for (const s of servers) await s.close();
});

async function smtp(opts: { hold?: boolean } = {}): Promise<SmtpCapture> {
  const s = await startSmtpCapture(opts);
  servers.push(s);
  return s;
}

describe('a slow mail server', () => {
  it('never holds the POST /contact request: it answers while the server still holds a delivery', async () => {
    const slow = await smtp({ hold: true });
    // Jobs run inside this server, as in development: the delivery and the requests share a process.
    const t = await createTestSite({
      apps: [contactForm({ rateLimit: false })],
      routes: { mounts: DEFAULT_MOUNT },
      settings: {
        mail: {
          transport: `smtp://127.0.0.1:${slow.port}`,
          from: 'site@example.com',
          managers: ['managers@example.com'],
        },
        jobs: { run: 'server', pollIntervalSeconds: 0.5 },
      },
    });
    sites.push(t);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const c = t.client();
    const first = await c.post('/contact', { ...DEFAULT_MESSAGE, message: 'first, held' });
    expect(first.statusCode).toBe(303);
    await until('the first delivery to be held by the mail server', () => slow.held.length === 1);

    const second = await c.post('/contact', { ...DEFAULT_MESSAGE, message: 'second' });
    expect(second.statusCode).toBe(303);
    expect(second.headers.location).toBe('/contact/sent');
    // Answered while the mail server still holds the first delivery, and has accepted nothing.
    expect(slow.held.map((m) => m.data)).toEqual([expect.stringContaining('first, held')]);
    expect(slow.messages).toEqual([]);
    expect((await storedMessages(t)).map((m) => m.state)).toEqual(['pending', 'pending']);

    slow.release();
    await until('both messages sent', async () =>
      (await storedMessages(t)).every((m) => m.state === 'sent'),
    );
    expect(slow.messages).toHaveLength(2);
  }, 60_000);
});

describe('a worker killed mid-delivery', () => {
  it('loses nothing: another worker delivers the message later, exactly once', async () => {
    const t = await createTestSite({
      apps: [contactForm({ rateLimit: false })],
      routes: { mounts: DEFAULT_MOUNT },
    });
    sites.push(t);
    const marker = `killed-mid-send-${process.pid}`;
    const res = await t.client().post('/contact', { ...DEFAULT_MESSAGE, message: marker });
    expect(res.statusCode).toBe(303);

    // The first worker's mail server takes the message and never answers: the send hangs.
    const hanging = await smtp({ hold: true });
    const first = await startWorker(t, hanging.port);
    children.push(first.child);
    await until('the first worker to be mid-send', () => hanging.held.length === 1);
    expect(await first.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    await until('the killed worker’s connection to close', () => hanging.held.length === 0);
    const [held] = await storedMessages(t);
    expect(held).toMatchObject({ state: 'pending', attempts: 1, sentAt: null });

    // Another worker, with a mail server that answers: the dead run is noticed (its heartbeat
    // stopped) and retried there.
    const working = await smtp();
    const second = await startWorker(t, working.port);
    children.push(second.child);
    await until(
      'the message to be sent by the second worker',
      async () => (await storedMessages(t))[0]!.state === 'sent',
      150_000,
    );
    expect(await second.stop()).toEqual({ code: 0, signal: null });

    expect(hanging.messages).toEqual([]);
    expect(working.messages).toHaveLength(1);
    expect(working.messages[0]!.data).toContain(marker);
    expect((await storedMessages(t))[0]).toMatchObject({ state: 'sent', attempts: 2 });
    const figures = (await t.site.jobs.figures()).find((f) => f.name === 'contact-form:deliver');
    expect(figures).toMatchObject({ queued: 0, active: 0, failed: 0, completed: 1 });
  }, 240_000);
});
