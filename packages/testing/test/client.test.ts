import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient, createTestSite, formEncode, type TestSite } from '../src/index.ts';
import { echo } from './helpers.ts';

let t: TestSite;
beforeAll(async () => {
  t = await createTestSite({ apps: [echo()], routes: { mounts: { echo: '/echo' } } });
});
afterAll(() => t.close());

describe('the cookie jar', () => {
  it('keeps cookies a response sets and sends them back', async () => {
    const c = t.client();
    await c.get('/echo/remember');
    expect(c.cookies.get('flavour')).toBe('oat');
    const res = await c.get('/echo');
    expect(res.json().cookies).toEqual({ flavour: 'oat' });
  });

  it('drops a cookie the site clears', async () => {
    const c = t.client();
    await c.get('/echo/remember');
    await c.get('/echo/forget');
    expect(c.cookies.has('flavour')).toBe(false);
    expect((await c.get('/echo')).json().cookies).toEqual({});
  });

  it('each client starts with an empty jar', async () => {
    const first = t.client();
    await first.get('/echo/remember');
    expect(t.client().cookies.size).toBe(0);
    expect(t.client()).toBeInstanceOf(TestClient);
  });
});

describe('CSRF handling', () => {
  it('adds a token to a form post, in the session the jar keeps', async () => {
    const c = t.client();
    const res = await c.post('/echo/form', { message: 'hi' });
    expect(res.statusCode).toBe(200);
    expect(res.json().body).toMatchObject({ message: 'hi', _csrf: expect.any(String) });
    expect(res.json().contentType).toBe('application/x-www-form-urlencoded');
    expect(c.cookies.has('tessera_session')).toBe(true);
  });

  it('sends the token as x-csrf-token for JSON and for a raw body', async () => {
    const c = t.client();
    const json = await c.post('/echo/form', { message: 'json' }, { json: true });
    expect(json.json()).toEqual({ body: { message: 'json' }, contentType: 'application/json' });
    const raw = await c.post('/echo/form', 'message=raw', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(raw.json().body).toEqual({ message: 'raw' });
  });

  it('sends no token when told, so a test can prove the refusal', async () => {
    const res = await t.client().post('/echo/form', { message: 'hi' }, { csrf: false });
    expect(res.statusCode).toBe(403);
  });

  it('put, patch and delete are unsafe too', async () => {
    const c = t.client();
    expect((await c.put('/echo/thing', { a: 1 }, { json: true })).json()).toEqual({
      method: 'PUT',
      body: { a: 1 },
      header: 'token',
    });
    expect((await c.patch('/echo/thing', { a: '2' })).json()).toMatchObject({
      method: 'PATCH',
      body: { a: '2' },
    });
    expect((await c.delete('/echo/thing')).json()).toEqual({
      method: 'DELETE',
      body: null,
      header: 'token',
    });
    expect((await c.delete('/echo/thing', undefined, { csrf: false })).statusCode).toBe(403);
  });

  it('csrfToken() answers a token for the client’s session', async () => {
    const c = t.client();
    const token = await c.csrfToken();
    const res = await c.post('/echo/form', { message: 'manual', _csrf: token }, { csrf: false });
    expect(res.statusCode).toBe(200);
  });
});

describe('requests', () => {
  it('passes the query and headers given', async () => {
    const res = await t.client().get('/echo', {
      query: { q: 'a b' },
      headers: { accept: 'application/json' },
    });
    expect(res.json().query).toEqual({ q: 'a b' });
  });

  it('answers the invalid-form problem of a bad post', async () => {
    const res = await t
      .client()
      .post('/echo/form', { message: '' }, { headers: { accept: 'application/json' } });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual({ message: ['This field is required.'] });
  });
});

describe('formEncode', () => {
  it('encodes like a browser posting a form', () => {
    expect(formEncode({ name: 'Ann Lee', age: 42, ok: true })).toBe('name=Ann+Lee&age=42&ok=true');
  });

  it('repeats a key for each item of an array and skips missing values', () => {
    expect(formEncode({ tag: ['a', 'b&c'], none: undefined, nil: null, empty: '' })).toBe(
      'tag=a&tag=b%26c&empty=',
    );
  });
});
