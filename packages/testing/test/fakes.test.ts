import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { veto } from '@tessera/core';
import { createTestSite, factory, fakeHook, type TestSite } from '../src/index.ts';
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
  const makeMessage = factory<EchoMessage, { message: string }>(async (em, o, n) =>
    em.create(EchoMessage, { message: o.message ?? `message ${n}` }),
  );

  it('builds and flushes one, with overrides, each with its own number', async () => {
    const a = await makeMessage(t);
    const b = await makeMessage(t, { message: 'chosen' });
    expect(a.id).toBeGreaterThan(0);
    expect(b.message).toBe('chosen');
    expect(await t.em().count(EchoMessage)).toBe(2);
  });

  it('builds many', async () => {
    const many = await makeMessage.many(t, 3);
    expect(new Set(many.map((m) => m.message)).size).toBe(3);
    expect(await t.em().count(EchoMessage)).toBe(5);
  });
});
