import { describe, expect, it } from 'vitest';
import { createTestSite } from '@tessera/testing';

describe('smoke', () => {
  it('boots an empty site', async () => {
    const t = await createTestSite({ apps: [] });
    const res = await t.client().get('/healthz');
    expect(res.statusCode).toBe(200);
    const token = await t.client().csrfToken();
    expect(token.length).toBeGreaterThan(10);
    await t.close();
  });
});
