import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_SETTINGS,
  defineSettings,
  environmentName,
  loadEnv,
  parseList,
} from '../src/index.ts';
import { notes } from './helpers.ts';

const SECRET = 'a-secret-key-that-is-long-enough-for-tests';

describe('defineSettings', () => {
  it('fills the defaults under what the settings file gives, into a new object', () => {
    const input = {
      apps: [notes()],
      routes: { mounts: { notes: '/notes' } },
      secretKey: SECRET,
      debug: true,
      mail: { transport: 'outbox', from: 'me@example.com', managers: ['a@example.com'] },
      session: { cookieName: 'sid', secure: true, maxAgeSeconds: 60 },
    };
    const settings = defineSettings(input);
    expect(settings).toMatchObject({
      env: 'development',
      debug: true,
      siteName: 'Tessera',
      serveStatic: true,
      poolSize: 10,
      port: 3000,
      host: '127.0.0.1',
      bodyLimit: 1024 * 1024,
      mail: { transport: 'outbox', from: 'me@example.com', managers: ['a@example.com'] },
      session: { cookieName: 'sid', secure: true, maxAgeSeconds: 60 },
    });
    expect(settings).not.toBe(input);
    expect(settings.mail).not.toBe(DEFAULT_SETTINGS.mail);
  });

  it('merges a partial mail or session setting over its defaults', () => {
    const settings = defineSettings({
      apps: [],
      routes: { mounts: {} },
      secretKey: SECRET,
      mail: { managers: ['m@example.com'] } as never,
      session: { secure: true } as never,
    });
    expect(settings.mail).toEqual({
      transport: 'console',
      from: 'webmaster@localhost',
      managers: ['m@example.com'],
    });
    expect(settings.session).toEqual({
      cookieName: 'tessera_session',
      secure: true,
      maxAgeSeconds: 14 * 24 * 3600,
    });
  });
});

describe('loadEnv', () => {
  it('reads and types the environment', () => {
    const env = loadEnv({
      data: {
        DATABASE_URL: 'postgres://u@127.0.0.1:5432/db',
        PORT: '8080',
        SECRET_KEY: SECRET,
        MANAGERS: 'a@example.com',
      },
    });
    expect(env).toMatchObject({
      DATABASE_URL: 'postgres://u@127.0.0.1:5432/db',
      PORT: 8080,
      SECRET_KEY: SECRET,
    });
  });

  it('a bad environment variable fails naming the variable', () => {
    expect(() => loadEnv({ data: { DATABASE_URL: 'mysql://x' } })).toThrow(/DATABASE_URL/);
    expect(() => loadEnv({ data: { PORT: 'eighty' } })).toThrow(/PORT/);
    expect(() => loadEnv({ data: { SECRET_KEY: 'short' } })).toThrow(/SECRET_KEY/);
    expect(() => loadEnv({ data: { TESSERA_ENV: 'staging' } })).toThrow(/TESSERA_ENV/);
  });

  it('reads process.env, and a .env file in the current folder, when no data is given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-env-'));
    writeFileSync(join(dir, '.env'), 'DEFAULT_FROM_EMAIL=dotenv@example.com\n');
    const cwd = process.cwd();
    process.env.MANAGERS = 'from-process@example.com';
    try {
      process.chdir(dir);
      const env = loadEnv();
      expect(env.DEFAULT_FROM_EMAIL).toBe('dotenv@example.com');
      expect(env.MANAGERS).toBe('from-process@example.com');
    } finally {
      process.chdir(cwd);
      delete process.env.DEFAULT_FROM_EMAIL;
      delete process.env.MANAGERS;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('environmentName', () => {
  const saved = { TESSERA_ENV: process.env.TESSERA_ENV, NODE_ENV: process.env.NODE_ENV };
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('takes TESSERA_ENV first', () => {
    expect(environmentName({ TESSERA_ENV: 'production', NODE_ENV: 'test' })).toBe('production');
  });

  it('falls back to NODE_ENV when it is production or test', () => {
    expect(environmentName({ NODE_ENV: 'production' })).toBe('production');
    expect(environmentName({ NODE_ENV: 'test' })).toBe('test');
  });

  it('is development otherwise', () => {
    expect(environmentName({ NODE_ENV: 'staging' })).toBe('development');
    expect(environmentName({})).toBe('development');
  });

  it('reads the process environment by default', () => {
    process.env.TESSERA_ENV = 'production';
    expect(environmentName()).toBe('production');
    delete process.env.TESSERA_ENV;
    process.env.NODE_ENV = 'test';
    expect(environmentName()).toBe('test');
  });
});

describe('parseList', () => {
  it('splits a comma-separated variable and drops blanks', () => {
    expect(parseList(' a@example.com, b@example.com ,,')).toEqual([
      'a@example.com',
      'b@example.com',
    ]);
    expect(parseList(undefined)).toEqual([]);
  });
});
