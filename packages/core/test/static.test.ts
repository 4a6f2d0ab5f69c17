import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSite, type TestSite } from '@tessera/testing';
import { StaticConflict } from '../src/index.ts';
import { collectStatic } from '../src/internal.ts';
import { CONFLICTING_STATIC, SITE_STATIC, notes } from './helpers.ts';

describe('serving static files', () => {
  let t: TestSite;
  beforeAll(async () => {
    t = await createTestSite({ apps: [notes()], settings: { static: SITE_STATIC } });
  });
  afterAll(() => t.close());

  it('serves an app’s static file at /static/<app>/…', async () => {
    const res = await t.client().get('/static/notes/app.css');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/css');
    expect(res.body).toBe('.notes {\n  list-style: none;\n}\n');
  });

  it('serves the site’s own static files at /static/…', async () => {
    const res = await t.client().get('/static/site.css');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('margin: 0');
  });

  it('answers 404 for a file nobody ships, and lists no folder', async () => {
    expect((await t.client().get('/static/notes/missing.css')).statusCode).toBe(404);
    expect((await t.client().get('/static/notes/')).statusCode).toBe(404);
  });
});

describe('a site that does not serve static files', () => {
  it('leaves /static/ to a front server', async () => {
    const t = await createTestSite({
      apps: [notes()],
      settings: { static: SITE_STATIC, serveStatic: false },
    });
    try {
      expect((await t.client().get('/static/notes/app.css')).statusCode).toBe(404);
      expect((await t.client().get('/static/site.css')).statusCode).toBe(404);
    } finally {
      await t.close();
    }
  });
});

describe('collectStatic', () => {
  const out = mkdtempSync(join(tmpdir(), 'tessera-static-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('copies the site’s files and each app’s under its name', () => {
    const copied = collectStatic([notes.spec], SITE_STATIC, join(out, 'ok'));
    expect(copied).toBe(2);
    expect(readdirSync(join(out, 'ok')).sort()).toEqual(['notes', 'site.css']);
    expect(readFileSync(join(out, 'ok', 'notes', 'app.css'), 'utf8')).toContain('list-style');
  });

  it('fails loudly, naming both owners, when two claim one path, and copies nothing', () => {
    expect(() => collectStatic([notes.spec], CONFLICTING_STATIC, join(out, 'clash'))).toThrow(
      StaticConflict,
    );
    expect(() => collectStatic([notes.spec], CONFLICTING_STATIC, join(out, 'clash'))).toThrow(
      /Static file 'notes\/app.css' is claimed by both site \(.*conflict-static\/notes\/app.css\) and notes \(.*fixtures\/notes\/static\/app.css\)/,
    );
    expect(() => readdirSync(join(out, 'clash'))).toThrow(/ENOENT/);
  });

  it('copies nothing for a site without static files', () => {
    expect(collectStatic([], undefined, join(out, 'empty'))).toBe(0);
    expect(collectStatic([], join(out, 'does-not-exist'), join(out, 'empty'))).toBe(0);
  });
});
