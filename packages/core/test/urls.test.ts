import type { FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCountChange, type TestSite } from '@tessera/testing';
import {
  MissingRouteParam,
  NoReverseMatch,
  RouteTable,
  isSafePath,
  resolveRedirect,
  safePath,
} from '../src/index.ts';
import { Note } from './fixtures/notes/index.ts';
import { createNotesSite, notes, pins } from './helpers.ts';

const request = { url: '/x' } as FastifyRequest;

declare module '@tessera/core' {
  interface RouteParams {
    /** The test site's home page. */
    home: Record<string, never>;
  }
}

describe('named routes', () => {
  let t: TestSite;
  beforeAll(async () => {
    t = await createNotesSite({
      apps: [
        notes({
          successRedirect: (request, note: { id: number }) =>
            `${request.server.tessera.url('notes:detail', { id: note.id })}?saved=1`,
        }),
        pins(),
      ],
      routes: {
        mounts: { notes: '/journal' },
        register(fastify) {
          fastify.get('/', { config: { name: 'home' } }, async () => ({ home: true }));
          fastify.get('/about', async () => ({ unnamed: true }));
        },
      },
    });
  });
  afterAll(() => t.close());

  it('url() builds a path with the app’s prefix and the params', () => {
    expect(t.site.url('notes:list')).toBe('/journal');
    expect(t.site.url('notes:new')).toBe('/journal/new');
    expect(t.site.url('notes:detail', { id: 7 })).toBe('/journal/7');
    expect(t.site.url('notes:archive', { year: 2024, month: 3 })).toBe('/journal/archive/2024/3');
    expect(t.site.url('notes:archive', { year: 2024 })).toBe('/journal/archive/2024/');
  });

  it('url() encodes each param so it stays one path segment', () => {
    expect(t.site.url('notes:detail', { id: 'a/b c?d' })).toBe('/journal/a%2Fb%20c%3Fd');
  });

  it('a missing param or an unknown name is a clear error', () => {
    expect(() => t.site.routes.reverse('notes:detail')).toThrow(MissingRouteParam);
    expect(() => t.site.routes.reverse('notes:detail', { id: '' })).toThrow(
      "Route 'notes:detail' needs the parameter 'id'.",
    );
    expect(() => t.site.routes.reverse('notes:nope')).toThrow(NoReverseMatch);
    expect(() => t.site.routes.reverse('notes:nope')).toThrow(
      "No route is named 'notes:nope'. Run `tessera routes` to list the names.",
    );
  });

  it('lists every named route with its methods, path and app; the site’s own have no app', () => {
    const byName = new Map(t.site.routes.list().map((r) => [r.name, r]));
    expect(byName.get('notes:new')).toEqual({
      name: 'notes:new',
      path: '/journal/new',
      methods: ['GET', 'POST'],
      app: 'notes',
    });
    expect(byName.get('home')).toEqual({
      name: 'home',
      path: '/',
      methods: ['GET'],
      app: undefined,
    });
    expect(byName.get('core:csrf-token')?.path).toBe('/csrf-token');
    expect(t.site.routes.has('about')).toBe(false);
  });

  it('endpoints lists every route, named or not, per method, with its final config', () => {
    const rows = t.site.routes.endpoints();
    const find = (method: string, path: string) =>
      rows.find((e) => e.method === method && e.path === path);
    expect(find('GET', '/about')).toMatchObject({ name: undefined, bodyLimit: undefined });
    expect(find('HEAD', '/about')).toBeDefined();
    expect(find('POST', '/journal/new')?.name).toBe('notes:new');
    expect(find('POST', '/journal/api/notes')?.config).toMatchObject({
      api: true,
      routeName: 'notes:api-create',
    });
    expect(find('GET', '/healthz')).toBeDefined();
    expect(find('GET', '/csrf-token')?.name).toBe('core:csrf-token');
  });

  it('templates reverse names too', async () => {
    const res = await t.client().get('/journal');
    expect(res.body).toContain('href="/journal/new"');
  });

  it('a redirect option may be a function of the request and the result', async () => {
    const res = await expectCountChange(t.em, Note, 1, () =>
      t.client().post('/journal/new', { title: 'Redirected' }),
    );
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toMatch(/^\/journal\/\d+\?saved=1$/);
  });

  it('resolveRedirect takes a route name, a site path or a function', async () => {
    const routes = t.site.routes;
    expect(await resolveRedirect(routes, 'home', request, undefined)).toBe('/');
    expect(await resolveRedirect(routes, 'notes:list', request, undefined)).toBe('/journal');
    expect(await resolveRedirect(routes, '/thanks?x=1', request, undefined)).toBe('/thanks?x=1');
    expect(
      await resolveRedirect(
        routes,
        async (_r, result: { id: number }) => `/n/${result.id}`,
        request,
        {
          id: 4,
        },
      ),
    ).toBe('/n/4');
  });

  it('resolveRedirect refuses anything that would leave the site', async () => {
    for (const target of ['https://evil.com', '//evil.com', 'not-a-route']) {
      await expect(
        resolveRedirect(t.site.routes, target as never, request, undefined),
      ).rejects.toThrow(NoReverseMatch);
    }
    await expect(
      resolveRedirect(t.site.routes, () => '//evil.com/steal', request, undefined),
    ).rejects.toThrow(NoReverseMatch);
  });

  it('resolveRedirect encodes a path a redirect function answers', async () => {
    expect(await resolveRedirect(t.site.routes, () => '/日本', request, undefined)).toBe(
      '/%E6%97%A5%E6%9C%AC',
    );
  });
});

describe('safePath', () => {
  // Issue 18, item 5: `next=/日本` passed isSafePath and crashed the redirect (a Location header
  // cannot carry it) after the session was created.
  it('percent-encodes what a Location header cannot carry, and refuses what cannot be encoded', () => {
    expect(safePath('/日本')).toBe('/%E6%97%A5%E6%9C%AC');
    expect(safePath('/。evil.example')).toBe('/%E3%80%82evil.example');
    expect(safePath('/a b?q=日本#café')).toBe('/a%20b?q=%E6%97%A5%E6%9C%AC#caf%C3%A9');
    expect(safePath('/notes/1?x=%2F#top')).toBe('/notes/1?x=%2F#top');
    expect(safePath('/\ud800')).toBeUndefined();
    expect(safePath(`/${'日'.repeat(300)}`)).toBeUndefined();
    for (const bad of ['//evil.com', '/\\evil.com', 'https://evil.com', '/\tx', 42])
      expect(safePath(bad), String(bad)).toBeUndefined();
  });

  it('every path it answers goes in a header and stays on the site', () => {
    for (const target of ['/日本', '/。evil.example', '/／evil.example', '/\u3000/x', '/\u2028x']) {
      const path = safePath(target)!;
      expect(path).toMatch(/^\/[\x21-\x7e]*$/);
      expect(new URL(path, 'https://site.example').origin).toBe('https://site.example');
    }
  });
});

describe('isSafePath', () => {
  it('accepts a path on this site', () => {
    for (const ok of ['/', '/notes', '/notes/1?x=%2F#top', '/a//b'])
      expect(isSafePath(ok)).toBe(true);
  });

  it('answers false for a path that must be encoded before it can be used', () => {
    expect(isSafePath('/日本')).toBe(false);
    expect(isSafePath('/a b')).toBe(false);
  });

  it('refuses other hosts, schemes, backslash tricks and control characters', () => {
    for (const bad of [
      '//evil.com',
      '/\\evil.com',
      '/\\/evil.com',
      'https://evil.com',
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      'evil.com',
      '/path\\with\\backslash',
      '/\tjavascript:alert(1)',
      '/line\nbreak',
      '/nul\u0000',
      '/del\u007f',
      '',
      `/${'a'.repeat(2000)}`,
      42,
      null,
      undefined,
    ]) {
      expect(isSafePath(bad), JSON.stringify(bad)).toBe(false);
    }
  });
});

describe('RouteTable', () => {
  it('merges methods of one name on one path, and a new path replaces the old', () => {
    const table = new RouteTable();
    table.add({ name: 'x:a', path: '/a', methods: ['GET'], app: 'x' });
    table.add({ name: 'x:a', path: '/a', methods: ['POST', 'GET'], app: 'x' });
    expect(table.list()).toEqual([{ name: 'x:a', path: '/a', methods: ['GET', 'POST'], app: 'x' }]);
    table.add({ name: 'x:a', path: '/b', methods: ['PUT'], app: 'x' });
    expect(table.reverse('x:a')).toBe('/b');
  });

  it('url is the same reverse, typed', () => {
    const table = new RouteTable();
    table.add({ name: 'x:b', path: '/b/:slug', methods: ['GET'], app: 'x' });
    const url = table.url as unknown as (name: string, params?: Record<string, unknown>) => string;
    expect(url('x:b', { slug: 'hi' })).toBe('/b/hi');
  });
});

describe('route overrides by name', () => {
  let t: TestSite;
  const seen: string[] = [];
  beforeAll(async () => {
    t = await createNotesSite({
      settings: {
        routeOverrides: {
          'notes:new': {
            preHandler: async function siteGuard(request, reply) {
              seen.push(`${request.method} ${request.url}`);
              if (request.headers['x-blocked']) await reply.status(403).send({ blocked: true });
            },
          },
          'notes:archive': {
            handler: async function siteArchive(request) {
              return { replaced: true, params: request.params };
            },
          },
        },
      },
    });
  });
  afterAll(() => t.close());

  it('a site preHandler runs before the app’s handler on every method of that name', async () => {
    expect((await t.client().get('/notes/new')).statusCode).toBe(200);
    const blocked = await t.client().get('/notes/new', { headers: { 'x-blocked': '1' } });
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json()).toEqual({ blocked: true });
    await t.client().post('/notes/new', { title: 'Guarded' });
    expect(seen).toEqual(['GET /notes/new', 'GET /notes/new', 'POST /notes/new']);
  });

  it('a site handler replaces the app’s handler, keeping its path and name', async () => {
    const res = await t.client().get('/notes/archive/2024/5');
    expect(res.json()).toEqual({ replaced: true, params: { year: '2024', month: '5' } });
    expect(t.site.url('notes:archive', { year: 2024 })).toBe('/notes/archive/2024/');
  });

  it('routes without an override are untouched', async () => {
    expect((await t.client().get('/notes')).statusCode).toBe(200);
  });
});
