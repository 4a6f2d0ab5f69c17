import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineApp } from '@tessera/core';
import { makeSuperuser } from '@tessera/auth/testing';
import type { TestClient, TestSite } from '@tessera/testing';
import { Book, adminSite, makeBooks, signIn, titles } from './helpers.ts';

// A registration's own `pageSize` beats the admin's option, for that entity's list alone.

/** Books again, registered by a second app with two per page. */
const paged = defineApp({
  name: 'paged',
  admin: {
    entities: [
      { name: 'book', entity: Book, columns: ['title'], ordering: ['title'], pageSize: 2 },
    ],
  },
});

const PAGED = '/admin/paged/book';
let t: TestSite;
let root: TestClient;

beforeAll(async () => {
  t = await adminSite({ pageSize: 3 }, { apps: [paged()] });
  await makeSuperuser(t, { email: 'root@example.com' });
  await makeBooks(t, ['Emma', 'Dune', 'Beloved', 'Carrie', 'Atonement']);
  root = await signIn(t, 'root@example.com');
});
afterAll(() => t?.close());

describe('a registration’s page size', () => {
  it('lists that many objects a page, and paginates by it', async () => {
    const first = await root.get(PAGED);
    expect(first.statusCode).toBe(200);
    expect(titles(first.body)).toEqual(['Atonement', 'Beloved']);
    expect(first.body).toContain('5 books');
    expect(first.body).toContain('Page 1 of 3');
    expect(first.body).toContain(`href="${PAGED}?page=2"`);
    expect(titles((await root.get(`${PAGED}?page=2`)).body)).toEqual(['Carrie', 'Dune']);
    const last = await root.get(`${PAGED}?page=3`);
    expect(titles(last.body)).toEqual(['Emma']);
    expect(last.body).not.toContain('rel="next"');
    expect((await root.get(`${PAGED}?page=4`)).statusCode).toBe(404);
  });

  it('leaves other entities at the admin’s page size', async () => {
    const shelf = await root.get('/admin/shelf/book');
    expect(titles(shelf.body)).toHaveLength(3);
    expect(shelf.body).toContain('Page 1 of 2');
  });
});
