import type { FastifyInstance, RouteHandlerMethod, preHandlerHookHandler } from 'fastify';
import { existsSync } from 'node:fs';
import envSchema from 'env-schema';
import { Type, type Static } from 'typebox';
import type { InstalledApp } from './app.ts';
import type { Hooks } from './hooks.ts';
import type { MailTransportSetting } from './mail.ts';
import type { SiteContext } from './site-context.ts';

/** The environments a site runs in; `TESSERA_ENV` picks one, defaulting from `NODE_ENV`. */
export type Environment = 'development' | 'production' | 'test';

/** How a site changes one of an app's routes by name, without forking the app. */
export interface RouteOverride {
  /** Runs before the app's own handler (a guard, a log line, a header). */
  preHandler?: preHandlerHookHandler;
  /** Replaces the app's handler. */
  handler?: RouteHandlerMethod;
}

/** The site's root routes: where each app is mounted, and the site's own pages. */
export interface SiteRoutes {
  /** App name → URL prefix (`{ blog: '/blog' }`). An app not listed is mounted at `/<name>`. */
  mounts: Record<string, string>;
  /** The site's own root routes (the home page); name them with `config: { name }`. */
  register?(fastify: FastifyInstance, site: SiteContext): void | Promise<void>;
}

/** Everything a site is: the apps it installs, its routes, and how it runs. */
export interface SiteSettings {
  env: Environment;
  /** Development aids (query counts, template names, stack traces on error pages). */
  debug: boolean;
  siteName: string;
  apps: InstalledApp[];
  routes: SiteRoutes;
  /** The site's own template folder: searched before every app's. */
  templates?: URL | string;
  /** The site's own static folder, served at `/static/`. */
  static?: URL | string;
  /** Serve `/static/` from the app (development); production puts a front server there. */
  serveStatic: boolean;
  /** `DATABASE_URL`; none → an embedded PostgreSQL with data under `embeddedDir`. */
  databaseUrl?: string;
  embeddedDir: string;
  /** Connections per process. */
  poolSize: number;
  /** Signs sessions and tokens. From the environment only. */
  secretKey: string;
  mail: { transport: MailTransportSetting; from: string; managers: string[] };
  session: { cookieName: string; secure: boolean; maxAgeSeconds: number };
  /** Site-level hook listeners: `(hooks) => hooks.on('blog:entry-published', ...)`. */
  listeners?: (hooks: Hooks, site: SiteContext) => void;
  /** Route changes by name: `{ 'blog:entry-detail': { preHandler } }`. */
  routeOverrides?: Record<string, RouteOverride>;
  logLevel: string;
  /** Pretty logs (development) or JSON lines (production). */
  prettyLogs: boolean;
  host: string;
  port: number;
  /**
   * Whose X-Forwarded-* headers to believe: `true` (any peer's), or the front server's address(es)
   * (`'127.0.0.1'`, `['10.0.0.0/8']`) so a client that reaches the site directly cannot choose
   * the address its rate limit counts.
   */
  trustProxy: boolean | string | string[];
  /** Largest request body in bytes; a larger one is refused with 413. */
  bodyLimit: number;
  /** Requests per client IP per window on every route (429 past it); `false` switches it off. */
  rateLimit: { max: number; timeWindow: string | number } | false;
  /** Prometheus metrics at `path`, for loopback clients or a bearer `token` only. */
  metrics: { enabled: boolean; path: string; token?: string };
  /** OpenAPI for the JSON routes apps describe, browsable at `path`. */
  openapi: { enabled: boolean; path: string };
}

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
  rateLimit: { max: 1000, timeWindow: '1 minute' },
  metrics: { enabled: true, path: '/metrics' },
  openapi: { enabled: true, path: '/api/docs' },
};

/** What a settings file writes: the apps and routes, plus any defaults it changes. */
export type SettingsInput = Partial<SiteSettings> &
  Pick<SiteSettings, 'apps' | 'routes' | 'secretKey'>;

/** Fills a settings file's values over the defaults, into a new object. */
export function defineSettings(input: SettingsInput): SiteSettings {
  return {
    ...DEFAULT_SETTINGS,
    ...input,
    mail: { ...DEFAULT_SETTINGS.mail, ...input.mail },
    session: { ...DEFAULT_SETTINGS.session, ...input.session },
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
