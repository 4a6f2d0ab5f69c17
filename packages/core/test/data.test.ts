import { RequestContext } from '@mikro-orm/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestSite, type TestSite } from '@tessera/testing';
import { countQueries, invalidateOnCommit, transaction, type EntityManager } from '../src/index.ts';
import { Note } from './fixtures/notes/index.ts';
import { Barrier, notes } from './helpers.ts';

const CONCURRENT = 20;

describe('the request-scoped EntityManager', () => {
  let t: TestSite;
  beforeAll(async () => {
    t = await createTestSite({
      apps: [notes()],
      routes: {
        register(fastify, site) {
          fastify.get('/em', async (request) => ({
            id: request.em.id,
            isGlobal: request.em === site.orm.em,
            isContext: RequestContext.getEntityManager() === request.em,
            globalResolvesToIt: site.orm.em.getContext() === request.em,
          }));
        },
      },
    });
  });
  afterAll(() => t.close());

  it('each request gets its own fork, the one the request context (and so orm.em) resolves to', async () => {
    const first = (await t.client().get('/em')).json();
    const second = (await t.client().get('/em')).json();
    expect(first).toMatchObject({ isGlobal: false, isContext: true, globalResolvesToIt: true });
    expect(second.id).not.toBe(first.id);
  });

  it('the site’s global EntityManager refuses entity work outside a request', async () => {
    await expect(t.site.orm.em.find(Note, {})).rejects.toThrow(/global EntityManager/);
  });

  it('countQueries answers how many queries a piece of work ran', async () => {
    const em = t.em();
    const { result, queries } = await countQueries(async () => {
      await em.find(Note, {});
      return em.count(Note, {});
    });
    expect(result).toBe(0);
    expect(queries).toBe(2);
  });
});

describe('concurrent requests in transactions', () => {
  let t: TestSite;
  const inserted = new Barrier(CONCURRENT);
  const read = new Barrier(CONCURRENT);

  beforeAll(async () => {
    t = await createTestSite({
      apps: [notes()],
      settings: { poolSize: CONCURRENT + 5 },
      routes: {
        register(fastify) {
          // Every transaction writes, waits until all have written, reads, waits until all have
          // read, then commits: each read happens while the 19 others are still uncommitted.
          fastify.post('/isolated', async (request) => {
            const { marker } = request.body as { marker: string };
            return transaction(request.em, async (tx) => {
              tx.create(Note, { title: marker, body: '' });
              await tx.flush();
              await inserted.arrive();
              const seen = (await tx.find(Note, {})).map((n) => n.title);
              await read.arrive();
              return { seen };
            });
          });
        },
      },
    });
  });
  afterAll(() => t.close());

  it('do not see each other’s uncommitted work', async () => {
    const markers = Array.from({ length: CONCURRENT }, (_, i) => `note-${i}`);
    const responses = await Promise.all(
      markers.map((marker) => t.client().post('/isolated', { marker })),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(markers.map(() => 200));
    responses.forEach((r, i) => expect(r.json().seen).toEqual([markers[i]]));
    expect(await t.em().count(Note, {})).toBe(CONCURRENT);
  });
});

describe('more concurrent transactions than connections', () => {
  let t: TestSite;
  beforeAll(async () => {
    t = await createTestSite({
      apps: [notes()],
      settings: { poolSize: 3 },
      routes: {
        register(fastify) {
          fastify.post('/write', async (request) => {
            const { title } = request.body as { title: string };
            const count = await transaction(request.em, async (tx: EntityManager) => {
              tx.create(Note, { title, body: '' });
              await tx.flush();
              return tx.count(Note, { title });
            });
            return { count };
          });
        },
      },
    });
  });
  afterAll(() => t.close());

  it('queue for a connection and all finish without a deadlock', async () => {
    const responses = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) => t.client().post('/write', { title: `n${i}` })),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(responses.map(() => 200));
    expect(responses.map((r) => r.json().count)).toEqual(responses.map(() => 1));
    expect(await t.em().count(Note, {})).toBe(CONCURRENT);
  });
});

describe('invalidateOnCommit', () => {
  let t: TestSite;
  let calls: string[][];
  beforeAll(async () => {
    t = await createTestSite({ apps: [notes()] });
  });
  beforeEach(() => {
    calls = [];
    t.site.services.invalidateTags = async (tags) => void calls.push(tags);
  });
  afterAll(() => t.close());

  it('invalidates every tag given in one transaction in one call, after the commit', async () => {
    await transaction(t.em(), async (tx, onCommit) => {
      invalidateOnCommit(t.site, onCommit, ['notes:list', 'notes:note:1']);
      tx.create(Note, { title: 'x', body: '' });
      await tx.flush();
      invalidateOnCommit(t.site, onCommit, ['tags:a', 'notes:list']);
      expect(calls).toEqual([]);
    });
    expect(calls).toEqual([['notes:list', 'notes:note:1', 'tags:a']]);
  });

  it('invalidates nothing when the transaction rolls back', async () => {
    await expect(
      transaction(t.em(), async (_tx, onCommit) => {
        invalidateOnCommit(t.site, onCommit, ['notes:list']);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(calls).toEqual([]);
  });

  it('logs a cache that fails: the change has committed', async () => {
    const logged: string[] = [];
    const log = { error: (_o: object, m: string) => void logged.push(m) };
    const failing = { services: { invalidateTags: () => Promise.reject(new Error('down')) }, log };
    await transaction(t.em(), async (_tx, onCommit) => {
      invalidateOnCommit(failing as never, onCommit, ['notes:list']);
    });
    expect(logged).toEqual(['invalidating cache tags failed']);
  });
});
