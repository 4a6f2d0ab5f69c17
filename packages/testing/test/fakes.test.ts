import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { veto } from '@tessera/core';
import {
  createTestSite,
  factory,
  fakeHook,
  fakeInvalidations,
  type TestSite,
} from '../src/index.ts';
import { EchoMessage, echo } from './helpers.ts';

let t: TestSite;
beforeAll(async () => {
  t = await createTestSite({ apps: [echo()] });
});
afterAll(() => t.close());

describe('fakeHook', () => {
  it('replaces a hook’s listeners for a test, records what fired, and puts them back', async () => {
    const real: string[] = [];
    t.site.hooks.on('echo:said', function siteListener({ message }) {
      real.push(message);
    });
    const said = fakeHook(t.site.hooks, 'echo:said');
    await t.site.hooks.emit('echo:said', { message: 'while faked' });
    expect(said.calls).toEqual([{ message: 'while faked' }]);
    expect(real).toEqual([]);
    said.restore();
    await t.site.hooks.emit('echo:said', { message: 'after' });
    expect(real).toEqual(['after']);
    expect(said.calls).toHaveLength(1);
  });

  it('answers in the listeners’ place: a fake may veto', async () => {
    const fake = fakeHook(t.site.hooks, 'echo:said', () => veto('not today'));
    try {
      expect(await t.site.hooks.run('echo:said', { message: 'x' })).toEqual({
        vetoed: true,
        reason: 'not today',
        payload: { message: 'x' },
      });
    } finally {
      fake.restore();
    }
  });
});

describe('factory', () => {
  it('builds with a fresh EntityManager, a sequence number and the target, and flushes', async () => {
    const seen: string[] = [];
    const makeMessage = factory<EchoMessage, { message: string }>(async (em, o, n, target) => {
      seen.push(target.site === t.site ? 'site' : 'no site');
      return em.create(EchoMessage, { message: o.message ?? `message ${n}` });
    });
    const made = await makeMessage(t);
    const more = await makeMessage.many(t, 2, { message: 'same' });
    expect(made.id).toBeGreaterThan(0);
    expect(more.map((m) => m.message)).toEqual(['same', 'same']);
    expect(seen).toEqual(['site', 'site', 'site']);
    expect(await t.em().count(EchoMessage, {})).toBe(3);
  });
});

describe('fakeInvalidations', () => {
  it('records each call of the site’s invalidateTags, and puts the original back', async () => {
    const original = t.site.services.invalidateTags;
    const fake = fakeInvalidations(t.site);
    await t.site.services.invalidateTags(['a', 'b']);
    await t.site.services.invalidateTags(['c']);
    expect(fake.calls).toEqual([['a', 'b'], ['c']]);
    fake.restore();
    expect(t.site.services.invalidateTags).toBe(original);
  });
});
