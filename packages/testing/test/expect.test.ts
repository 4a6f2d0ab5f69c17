import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countQueries,
  createTestSite,
  expectCountChange,
  recordHook,
  type TestSite,
} from '../src/index.ts';
import { EchoMessage, echo } from './helpers.ts';

let t: TestSite;
beforeAll(async () => {
  t = await createTestSite({ apps: [echo()], routes: { mounts: { echo: '/echo' } } });
});
afterAll(() => t.close());

describe('expectCountChange', () => {
  it('passes when the count changed by exactly the delta, answering what the work answered', async () => {
    const res = await expectCountChange(t.em, EchoMessage, 1, () =>
      t.client().post('/echo/form', { message: 'stored' }),
    );
    expect(res.statusCode).toBe(200);
    expect(await expectCountChange(t.em, EchoMessage, 0, async () => 'nothing')).toBe('nothing');
  });

  it('fails, saying by how much it changed, when the delta differs', async () => {
    await expect(
      expectCountChange(t.em, EchoMessage, 0, () =>
        t.client().post('/echo/form', { message: 'x' }),
      ),
    ).rejects.toThrow(
      /^Expected EchoMessage count to change by 0, but it changed by 1 \(\d+ → \d+\)\.$/,
    );
    await expect(
      expectCountChange(t.em, EchoMessage, 1, () => t.client().post('/echo/form', { message: '' })),
    ).rejects.toThrow('Expected EchoMessage count to change by 1, but it changed by 0');
  });
});

describe('recordHook', () => {
  it('records every payload a hook receives, in order', async () => {
    const said = recordHook(t.site.hooks, 'echo:said');
    const c = t.client();
    await c.post('/echo/form', { message: 'one' });
    await c.post('/echo/form', { message: '' });
    await c.post('/echo/form', { message: 'two' });
    expect(said).toEqual([{ message: 'one' }, { message: 'two' }]);
    expect(t.site.hooks.list()).toContainEqual({
      name: 'echo:said',
      app: 'echo',
      listeners: ['recordForTest'],
    });
  });
});

describe('countQueries', () => {
  it('is re-exported from core', async () => {
    const { queries } = await countQueries(() => t.em().count(EchoMessage, {}));
    expect(queries).toBe(1);
  });
});
