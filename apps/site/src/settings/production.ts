// Production: secrets from the environment, secure cookies (HSTS follows), static files from the
// front server (collectstatic), JSON logs, metrics behind a token.
import { ImproperlyConfigured, defineSettings } from '@tessera/core';
import { base, env, installApps } from './base.ts';

if (!env.SECRET_KEY)
  throw new ImproperlyConfigured('SECRET_KEY must be set in production (32+ characters).');
if (!env.SITE_URL)
  throw new ImproperlyConfigured(
    'SITE_URL must be set in production (https://example.com): reset links use it.',
  );

export default defineSettings({
  ...base,
  apps: installApps({ siteUrl: env.SITE_URL, redisUrl: env.REDIS_URL }),
  env: 'production',
  debug: false,
  serveStatic: false,
  host: env.HOST ?? '0.0.0.0',
  // Only the front server on this machine (deploy/nginx.conf) may say who the client is.
  trustProxy: '127.0.0.1',
  session: { cookieName: 'tessera_session', secure: true, maxAgeSeconds: 14 * 24 * 3600 },
  metrics: { enabled: true, path: '/metrics', token: env.METRICS_TOKEN },
  // Every process counts each client together when Redis is there (the cache uses it too).
  rateLimit: {
    max: 1000,
    timeWindow: '1 minute',
    ...(env.REDIS_URL ? { redis: env.REDIS_URL } : {}),
  },
});
