import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSite, factory, fakeInvalidations, type TestSite } from '../src/index.ts';
import { EchoMessage, echo } from './helpers.ts';

let t: TestSite;
beforeAll(async () => {
  t = await createTestSite({ apps: [echo()] });
});
afterAll(() => t.close());

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
