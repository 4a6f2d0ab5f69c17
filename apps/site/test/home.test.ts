import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSite, type TestSite } from '@tessera/testing';
import { routes } from '../src/routes.ts';

describe('the site', () => {
  let t: TestSite;
  beforeAll(async () => {
    t = await createTestSite({
      apps: [],
      routes,
      settings: { templates: new URL('../templates/', import.meta.url) },
    });
  });
  afterAll(() => t.close());

  it('serves the home page with the site name as its title', async () => {
    const res = await t.client().get('/');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<title>Tessera</title>');
  });
});
