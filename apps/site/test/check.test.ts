// The site's own `tessera check`, run as a developer runs it (`npm run tessera -- check` with the
// test settings), so a composition mistake in src/settings fails the site's `npm test`.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { dropDatabase, ensureDatabase } from '@tessera/core/internal';
import { testServerUrl } from '@tessera/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SITE = fileURLToPath(new URL('..', import.meta.url));

describe('tessera check on the demo site', () => {
  const server = testServerUrl();
  const database = `tessera_check_${randomBytes(5).toString('hex')}`;
  const databaseUrl = `${server}/${database}`;

  // The settings read this process's environment; a Redis or a database of the machine's stays out.
  const { REDIS_URL: _redis, DATABASE_URL: _database, ...environment } = process.env;

  /** Runs `tessera <args>` in the site folder with the test settings on the scratch database. */
  function tessera(...args: string[]) {
    const run = spawnSync('npm', ['run', '-s', 'tessera', '--', ...args], {
      cwd: SITE,
      encoding: 'utf8',
      env: { ...environment, TESSERA_ENV: 'test', DATABASE_URL: databaseUrl },
      timeout: 120_000,
    });
    return { code: run.status, output: `${run.stdout}${run.stderr}` };
  }

  beforeAll(() => ensureDatabase(server, database));
  afterAll(() => dropDatabase(server, database));

  it('fails while the database lacks the apps’ migrations, naming them', () => {
    const { code, output } = tessera('check');
    expect(output).toMatch(/tessera\.E\d+.*migration/i);
    expect(output).toMatch(/blog|auth|contact-form|tagging/);
    expect(code).not.toBe(0);
  }, 150_000);

  it('finds no issues once migrated: settings, options, overrides, routes, hooks, templates', () => {
    expect(tessera('migrate').code).toBe(0);
    const { code, output } = tessera('check');
    expect(output).toContain('System check identified no issues');
    expect(code).toBe(0);
  }, 150_000);
});
