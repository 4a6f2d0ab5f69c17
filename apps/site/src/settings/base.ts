// Settings every environment shares: the apps this site installs and how it runs.
// Secrets and addresses come from the environment (.env), never from this file.
import { defineSettings, loadEnv, parseList, type SettingsInput } from '@tessera/core';
import { routes } from '../routes.ts';

export const env = loadEnv();

export const base: SettingsInput = {
  siteName: 'Tessera',
  apps: [],
  routes,
  templates: new URL('../../templates/', import.meta.url),
  static: new URL('../../static/', import.meta.url),
  databaseUrl: env.DATABASE_URL,
  embeddedDir: new URL('../../.tessera/postgres', import.meta.url).pathname,
  secretKey: env.SECRET_KEY ?? 'development-only-secret-key-change-me-in-production',
  host: env.HOST ?? '127.0.0.1',
  port: env.PORT ?? 3000,
  mail: {
    transport: env.SMTP_URL ?? 'console',
    from: env.DEFAULT_FROM_EMAIL ?? 'webmaster@localhost',
    managers: parseList(env.MANAGERS ?? 'managers@localhost'),
  },
};

export default defineSettings(base);
