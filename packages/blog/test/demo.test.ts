import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestSite } from '@tessera/testing';
import { blogDemoCommand, DEMO_EMAIL, DEMO_ENTRIES } from '../src/index.ts';
import { blogSite, entryCount, MOUNTS } from './helpers.ts';

let t: TestSite;
beforeAll(async () => {
  t = await blogSite();
});
afterAll(() => t?.close());

it('is a command of the blog app', () => {
  const spec = t.site.apps.find((a) => a.name === 'blog')!;
  expect(spec.commands?.['blog:demo']?.description).toMatch(/demo entries/);
});

it('creates a staff editor and tagged demo entries once, then does nothing', async () => {
  const lines: string[] = [];
  const demo = blogDemoCommand((line) => lines.push(line));
  expect(await demo.run(t.site, [])).toBe(0);
  expect(await entryCount(t)).toBe(DEMO_ENTRIES);
  const password = /with the password (\S+) to edit/.exec(lines.join('\n'))?.[1];
  expect(password).toBeDefined();

  // The printed credentials sign in, and the editor may write.
  const c = t.client();
  const login = await c.post(`${MOUNTS.auth}/login`, { email: DEMO_EMAIL, password: password! });
  expect(login.statusCode).toBe(303);
  expect((await c.get('/blog/new')).statusCode).toBe(200);
  expect((await c.get('/blog/drafts')).body).toContain('part 1');

  const list = await t.client().get('/blog/');
  expect(list.statusCode).toBe(200);
  expect(list.body).toContain('rel="tag">architecture</a>');
  const [{ months }] = await t
    .em()
    .execute<{ months: number }[]>(
      "select count(distinct date_trunc('month', pub_date))::int as months from blog_entry",
    );
  expect(months).toBeGreaterThanOrEqual(3);

  lines.length = 0;
  expect(await demo.run(t.site, [])).toBe(0);
  expect(lines).toEqual([`The blog has ${DEMO_ENTRIES} entries already: no demo content added.`]);
  expect(await entryCount(t)).toBe(DEMO_ENTRIES);
});

it('gives an existing demo editor a new password when the blog is empty again', async () => {
  await t.em().execute('delete from blog_entry');
  const lines: string[] = [];
  expect(await blogDemoCommand((l) => lines.push(l)).run(t.site, [])).toBe(0);
  const password = /with the password (\S+) to edit/.exec(lines.join('\n'))![1]!;
  const login = await t.client().post(`${MOUNTS.auth}/login`, { email: DEMO_EMAIL, password });
  expect(login.statusCode).toBe(303);
});
