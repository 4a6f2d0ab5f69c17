import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSite } from '@tessera/testing';
import { createNotesSite } from './helpers.ts';

/** A site template folder whose notes/list.njk says `text`. */
function siteTemplates(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-debug-'));
  mkdirSync(join(dir, 'notes'));
  writeFileSync(join(dir, 'notes', 'list.njk'), text);
  return dir;
}

describe('with debug on', () => {
  let t: TestSite;
  const templates = siteTemplates('first');
  beforeAll(async () => {
    t = await createNotesSite({ settings: { debug: true, templates } });
  });
  afterAll(async () => {
    await t.close();
    rmSync(templates, { recursive: true, force: true });
  });

  it('each response tells how many queries it ran in server-timing', async () => {
    const res = await t.client().get('/notes');
    expect(res.headers['server-timing']).toMatch(/^db;dur=\d+\.\d;desc="1 queries"$/);
    const none = await t.client().get('/notes/archive/2024');
    expect(none.headers['server-timing']).toMatch(/desc="0 queries"$/);
  });

  it('each rendered page names its template', async () => {
    expect((await t.client().get('/notes')).headers['x-tessera-template']).toBe('notes/list.njk');
    expect((await t.client().get('/notes/new')).headers['x-tessera-template']).toBe(
      'notes/form.njk',
    );
  });

  it('a template edited on disk shows on the next render', async () => {
    expect((await t.client().get('/notes')).body).toBe('first');
    writeFileSync(join(templates, 'notes', 'list.njk'), 'second');
    expect((await t.client().get('/notes')).body).toBe('second');
  });
});

describe('with debug off', () => {
  let t: TestSite;
  const templates = siteTemplates('first');
  beforeAll(async () => {
    t = await createNotesSite({ settings: { templates } });
  });
  afterAll(async () => {
    await t.close();
    rmSync(templates, { recursive: true, force: true });
  });

  it('responses carry neither query counts nor template names', async () => {
    const res = await t.client().get('/notes');
    expect(res.headers['server-timing']).toBeUndefined();
    expect(res.headers['x-tessera-template']).toBeUndefined();
  });

  it('templates are compiled once and kept', async () => {
    expect((await t.client().get('/notes')).body).toBe('first');
    writeFileSync(join(templates, 'notes', 'list.njk'), 'second');
    expect((await t.client().get('/notes')).body).toBe('first');
  });

  it('every response carries its request id, the client’s own when it sent one', async () => {
    const res = await t.client().get('/notes');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const other = await t.client().get('/notes');
    expect(other.headers['x-request-id']).not.toBe(res.headers['x-request-id']);
    const traced = await t.client().get('/nowhere', { headers: { 'x-request-id': 'trace-123' } });
    expect(traced.headers['x-request-id']).toBe('trace-123');
  });
});
