// Type tests: `tsc --noEmit` checks them (a wrong route name, a missing param or a wrong hook
// payload must not compile); vitest runs the few runtime assertions beside them.
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { FastifyRequest } from 'fastify';
import {
  Hooks,
  NoReverseMatch,
  RouteTable,
  veto,
  type CurrentUser,
  type HookName,
  type HookPayloads,
  type HookResult,
  type RouteName,
  type RouteParams,
  type UrlArgs,
  type UrlFor,
} from '../src/index.ts';
import './fixtures/notes/index.ts';

// Declaration merging, as an app's augment.ts does (the notes fixture declares its own too).
declare module '@tessera/core' {
  interface RouteParams {
    'types:page': { slug: string };
    'types:home': Record<string, never>;
  }
  interface HookPayloads {
    'types:ping': { count: number };
  }
}

function table(): RouteTable {
  const routes = new RouteTable();
  routes.add({ name: 'types:page', path: '/pages/:slug', methods: ['GET'], app: 'types' });
  routes.add({ name: 'types:home', path: '/', methods: ['GET'], app: 'types' });
  return routes;
}

describe('url() types', () => {
  it('knows every declared route name', () => {
    expectTypeOf<'types:page'>().toExtend<RouteName>();
    expectTypeOf<'notes:detail'>().toExtend<RouteName>();
    expectTypeOf<'types:nope'>().not.toExtend<RouteName>();
    expectTypeOf<RouteParams['notes:detail']>().toEqualTypeOf<{ id: string | number }>();
  });

  it('requires the params a route has and makes them optional when it has none', () => {
    expectTypeOf<UrlArgs<'types:page'>>().toEqualTypeOf<[params: { slug: string }]>();
    expectTypeOf<UrlArgs<'types:home'>>().toEqualTypeOf<[params?: Record<string, never>]>();
    const url: UrlFor = table().url;
    expectTypeOf(url).returns.toEqualTypeOf<string>();
    expect(url('types:page', { slug: 'about' })).toBe('/pages/about');
    expect(url('types:home')).toBe('/');
  });

  it('refuses a wrong name, a missing param or a wrong param at compile time', () => {
    const url: UrlFor = table().url;
    // @ts-expect-error — no route has this name
    expect(() => url('types:nope')).toThrow(NoReverseMatch);
    // @ts-expect-error — 'types:page' needs { slug }
    expect(() => url('types:page')).toThrow(/needs the parameter 'slug'/);
    // @ts-expect-error — the param is `slug`, not `id`
    expect(() => url('types:page', { id: 1 })).toThrow(/needs the parameter 'slug'/);
  });
});

describe('hook types', () => {
  it('types payloads by hook name', () => {
    expectTypeOf<'types:ping'>().toExtend<HookName>();
    expectTypeOf<HookPayloads['notes:before-save']>().toEqualTypeOf<{
      title: string;
      body: string;
    }>();
  });

  it('listeners receive, and may return, the declared payload', async () => {
    const hooks = new Hooks();
    hooks.on('types:ping', (payload) => {
      expectTypeOf(payload).toEqualTypeOf<{ count: number }>();
      return { count: payload.count + 1 };
    });
    hooks.on('types:ping', () => veto('enough'));
    const result = await hooks.run('types:ping', { count: 1 });
    expectTypeOf(result).toEqualTypeOf<HookResult<{ count: number }>>();
    expect(result).toEqual({ vetoed: true, reason: 'enough', payload: { count: 2 } });
  });

  it('refuses a wrong payload at compile time', async () => {
    const hooks = new Hooks();
    // @ts-expect-error — count is a number
    await hooks.run('types:ping', { count: 'one' });
    // @ts-expect-error — a listener may not return another shape
    hooks.on('types:ping', () => ({ total: 1 }));
    // @ts-expect-error — notes:saved needs an id
    await hooks.emit('notes:saved', { title: 'x' });
    expect(hooks.list().map((h) => h.name)).toEqual(['types:ping']);
  });

  it('a hook no app declares cannot be listened to; one computed at run time may still be run', async () => {
    const hooks = new Hooks();
    // @ts-expect-error — a misspelled hook name fails tsc
    hooks.on('notes:svaed', () => {});
    const name: string = ['types', 'dynamic'].join(':');
    const result = await hooks.run(name, { anything: true });
    expectTypeOf(result).toEqualTypeOf<HookResult<{ anything: boolean }>>();
    expect(result).toEqual({ vetoed: false, payload: { anything: true } });
  });

  it('request decorations are typed', () => {
    expectTypeOf<FastifyRequest['user']>().toEqualTypeOf<CurrentUser | null>();
  });
});
