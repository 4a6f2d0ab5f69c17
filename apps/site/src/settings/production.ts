import { ImproperlyConfigured, defineSettings } from '@tessera/core';
import { base, env } from './base.ts';

if (!env.SECRET_KEY)
  throw new ImproperlyConfigured('SECRET_KEY must be set in production (32+ characters).');

export default defineSettings({
  ...base,
  env: 'production',
  debug: false,
  serveStatic: false,
  host: env.HOST ?? '0.0.0.0',
  trustProxy: true,
  session: { cookieName: 'tessera_session', secure: true, maxAgeSeconds: 14 * 24 * 3600 },
});
