import { existsSync } from 'node:fs';
import envSchema from 'env-schema';
import { Type, type Static } from 'typebox';
import type { Environment, SiteSettings } from './contract.ts';

/** The default values every site starts from. */
export const DEFAULT_SETTINGS: Omit<SiteSettings, 'apps' | 'routes' | 'secretKey'> = {
  env: 'development',
  debug: false,
  siteName: 'Tessera',
  serveStatic: true,
  embeddedDir: '.tessera/postgres',
  poolSize: 10,
  mail: { transport: 'console', from: 'webmaster@localhost', managers: [] },
  session: { cookieName: 'tessera_session', secure: false, maxAgeSeconds: 14 * 24 * 3600 },
  logLevel: 'info',
  prettyLogs: false,
  host: '127.0.0.1',
  port: 3000,
  trustProxy: false,
  bodyLimit: 1024 * 1024,
  timeouts: { headers: 10_000, request: 30_000 },
  rateLimit: { max: 1000, timeWindow: '1 minute' },
  metrics: { enabled: true, path: '/metrics' },
  openapi: { enabled: true, path: '/api/docs' },
  jobs: {
    run: 'auto',
    concurrency: 2,
    pollIntervalSeconds: 2,
    scheduleIntervalSeconds: 30,
    shutdownTimeoutMs: 20_000,
    schedules: {},
  },
};

/** What a settings file writes: the apps and routes, plus any defaults it changes. */
export type SettingsInput = Partial<Omit<SiteSettings, 'jobs'>> &
  Pick<SiteSettings, 'apps' | 'routes' | 'secretKey'> & { jobs?: Partial<SiteSettings['jobs']> };

/** Fills a settings file's values over the defaults, into a new object. */
export function defineSettings(input: SettingsInput): SiteSettings {
  return {
    ...DEFAULT_SETTINGS,
    ...input,
    mail: { ...DEFAULT_SETTINGS.mail, ...input.mail },
    session: { ...DEFAULT_SETTINGS.session, ...input.session },
    timeouts: { ...DEFAULT_SETTINGS.timeouts, ...input.timeouts },
    jobs: { ...DEFAULT_SETTINGS.jobs, ...input.jobs },
  };
}

/** The environment a site reads: secrets and addresses, never written in settings files. */
export const EnvSchema = Type.Object({
  TESSERA_ENV: Type.Optional(
    Type.Union([Type.Literal('development'), Type.Literal('production'), Type.Literal('test')]),
  ),
  NODE_ENV: Type.Optional(Type.String()),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  SECRET_KEY: Type.Optional(Type.String({ minLength: 32 })),
  SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://' })),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  MANAGERS: Type.Optional(Type.String()),
  SITE_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  METRICS_TOKEN: Type.Optional(Type.String({ minLength: 16 })),
  DEFAULT_FROM_EMAIL: Type.Optional(Type.String()),
  HOST: Type.Optional(Type.String()),
  PORT: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  WEB_CONCURRENCY: Type.Optional(Type.Integer({ minimum: 1, maximum: 64 })),
  JOB_WORKERS: Type.Optional(Type.Integer({ minimum: 0, maximum: 64 })),
});

/** The validated environment. */
export type Env = Static<typeof EnvSchema>;

/** Reads and validates the environment (and `.env` when present); a bad value fails naming it. */
export function loadEnv(opts: { dotenv?: boolean; data?: Record<string, unknown> } = {}): Env {
  if ((opts.dotenv ?? true) && !opts.data && existsSync('.env')) process.loadEnvFile('.env');
  return envSchema<Env>({
    schema: EnvSchema as never,
    dotenv: false,
    data: opts.data ?? process.env,
  });
}

/** The environment name: `TESSERA_ENV`, else `NODE_ENV` (production/test), else development. */
export function environmentName(env: Env = loadEnv({ dotenv: false })): Environment {
  if (env.TESSERA_ENV) return env.TESSERA_ENV;
  if (env.NODE_ENV === 'production' || env.NODE_ENV === 'test') return env.NODE_ENV;
  return 'development';
}

/** Splits `MANAGERS="a@x.org, b@x.org"` into addresses. */
export function parseList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
