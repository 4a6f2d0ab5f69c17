import { afterEach, describe, expect, it, vi } from 'vitest';

const KEYS = ['SECRET_KEY', 'SITE_URL', 'TESSERA_ENV', 'REDIS_URL'] as const;
const saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]));

afterEach(() => {
  for (const k of KEYS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  vi.resetModules();
});

describe('the site settings', () => {
  it('install auth, tagging, blog, contact-form, cache and the admin, with the site’s overrides', async () => {
    const { default: settings } = await import('../src/settings/development.ts');
    expect(settings.apps.map((a) => a.spec.name)).toEqual([
      'auth',
      'tagging',
      'blog',
      'contact-form',
      'cache',
      'admin',
    ]);
    expect(settings.debug).toBe(true);
    expect(settings.routes.mounts).toMatchObject({
      blog: '/blog',
      'contact-form': '/contact',
      auth: '/accounts',
      tagging: '/tags',
      admin: '/admin',
    });
  });

  it('pick the module from TESSERA_ENV', async () => {
    process.env.TESSERA_ENV = 'test';
    const { default: settings } = await import('../src/settings/index.ts');
    expect(settings.env).toBe('test');
    expect(settings.mail.transport).toBe('outbox');
  });

  it('refuse to run production without a secret key, and run it with secure cookies and Redis when given', async () => {
    delete process.env.SECRET_KEY;
    await expect(import('../src/settings/production.ts')).rejects.toThrow(/SECRET_KEY/);
    vi.resetModules();
    process.env.SECRET_KEY = 'x'.repeat(40);
    process.env.SITE_URL = 'https://example.com';
    process.env.REDIS_URL = 'redis://127.0.0.1:6379';
    const { default: settings } = await import('../src/settings/production.ts');
    expect(settings.session.secure).toBe(true);
    expect(settings.serveStatic).toBe(false);
    const cache = settings.apps.find((a) => a.spec.name === 'cache');
    expect(cache?.input).toMatchObject({ backend: 'redis', url: 'redis://127.0.0.1:6379' });
  });
});
