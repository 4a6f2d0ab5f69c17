// The app contract as types: what an app declares, what a site's settings hold, and what an
// installed app can reach of the site. One file, so the three (which mention each other) need no
// import cycle; `app.ts`, `settings.ts` and the kernel's plugins import from here.
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  LogLevel,
  RouteHandlerMethod,
  onRequestAsyncHookHandler,
  onRequestHookHandler,
  onResponseAsyncHookHandler,
  onResponseHookHandler,
  onSendAsyncHookHandler,
  onSendHookHandler,
  preHandlerAsyncHookHandler,
  preHandlerHookHandler,
} from 'fastify';
import type { ParseArgsOptionsConfig } from 'node:util';
import type { MigrationObject } from '@mikro-orm/core';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Static, TSchema } from 'typebox';
import type { AdminRegistration } from './admin-contract.ts';
import type { Hooks } from './hooks.ts';
import type { CheckMessage } from './checks.ts';
import type { Jobs } from './jobs/jobs.ts';
import type { JobDeclarations, JobsSettings } from './jobs/types.ts';
import type { Mailer, MailTransportSetting } from './mail.ts';
import type { SiteState } from './state.ts';
import type { Templates } from './templates.ts';
import type { RouteTable, UrlFor } from './urls.ts';

/** A command an app adds to the `tessera` CLI (`tessera createuser`, `tessera contact-form:deliver`). */
export interface AppCommand {
  /** One line for `tessera help`. */
  description: string;
  /** How to call it (`tessera createuser --email <address> [--staff]`), shown with a usage error. */
  usage?: string;
  /**
   * Its flags, as `node:util` `parseArgs` takes them (`{ all: { type: 'boolean' } }`): the CLI
   * parses them and refuses an unknown one with the usage. Without them the command gets its
   * words and flags unparsed in `args`.
   */
  options?: ParseArgsOptionsConfig;
  /** Runs with the booted site, the words after the command and the parsed flags; answers the exit code. */
  run(
    site: SiteContext,
    args: string[],
    flags?: Record<string, string | boolean | undefined>,
  ): Promise<number | void>;
}

/** What an app receives in `setup` and `routes`: its resolved options and the site. */
export interface AppContext<O = unknown> {
  name: string;
  options: O;
  site: SiteContext;
}

/** The declaration of an app: everything the kernel needs without running its routes. */
export interface AppSpec<S extends TSchema = TSchema> {
  /** The namespace of the app's routes, templates, migrations, hooks and settings. */
  name: string;
  /** The app's package version (cache keys, `tessera check`). */
  version?: string;
  /** Version ranges of packages this app works with: `{ '@tessera/core': '^0.1.0' }`. */
  requires?: Record<string, string>;
  /** Other apps by name; the kernel orders boot and migrations by these. */
  dependsOn?: string[];
  /** MikroORM entities (defineEntity, no decorators). */
  entities?: unknown[];
  /** This app's migrations, named `NNNN_what`, stored as `<app>.NNNN_what`. */
  migrations?: MigrationObject[];
  /** Where `tessera makemigrations <app>` writes (the folder of `migrations/index.ts`). */
  migrationsDir?: URL;
  /** The folder holding `<app>/...` templates. */
  templates?: URL;
  /** The folder of static files, served at `/static/<app>/`. */
  static?: URL;
  /** The options schema; every field has a default. */
  options?: S;
  /** Hook names this app fires (for `tessera hooks`). */
  hooks?: readonly string[];
  /**
   * Runs once at boot, in dependency order, on the Fastify instance Tessera is registered in:
   * decorators and services. Per-request behaviour for the site's routes goes through the
   * kernel's meeting points (`site.addRequestHook`, `site.respondEarly`), so the host server's
   * own routes are left as they were.
   */
  setup?(fastify: FastifyInstance, ctx: AppContext<Static<S>>): void | Promise<void>;
  /** Registers the app's routes, inside the prefix the site mounts it at. */
  routes?(fastify: FastifyInstance, ctx: AppContext<Static<S>>): void | Promise<void>;
  /** Commands this app adds to the CLI. */
  commands?: Record<string, AppCommand>;
  /**
   * Background jobs, by name in the app's namespace (`'contact-form:deliver'`), each typed in
   * `JobPayloads`: a handler, a retry policy, an optional schedule. Send one with `site.jobs.enqueue`.
   */
  jobs?: JobDeclarations;
  /**
   * The app's own system checks, run at boot and by `tessera check` once the site is mounted:
   * findings with ids in the app's namespace (`blog.E001`).
   */
  checks?(site: SiteContext): CheckMessage[] | Promise<CheckMessage[]>;
  /**
   * What the app offers `@tessera/admin` (`defineAdmin({ entities: [...] })`): read by the admin
   * when installed, ignored otherwise.
   */
  admin?: AdminRegistration;
}

/** An app as a site installs it: the declaration plus the options the site gave. */
export interface InstalledApp<S extends TSchema = TSchema> {
  readonly spec: AppSpec<S>;
  readonly input: unknown;
}

/** The options a site may pass: any subset; the rest take their defaults. */
export type AppInput<S extends TSchema> = Partial<Static<S>>;

/** An app factory: `blog({ paginateBy: 10 })` installs the blog with that option. */
export interface AppFactory<S extends TSchema = TSchema> {
  (options?: AppInput<S>): InstalledApp<S>;
  readonly spec: AppSpec<S>;
}

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
  /** The level of the site's logs (`'silent'` in tests). */
  logLevel: LogLevel;
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
  /**
   * How long (ms) a client may take to send its headers, and its whole request; past either the
   * server answers 408 and closes the connection (`createSite` only: a host server sets its own).
   */
  timeouts: { headers: number; request: number };
  /**
   * Requests per client IP per window on every route (429 past it); `false` switches it off.
   * With `redis` (a `redis://` URL) every process of the site shares the counts; without, each
   * process counts its own.
   */
  rateLimit: { max: number; timeWindow: string | number; redis?: string } | false;
  /** Prometheus metrics at `path`, for loopback clients or a bearer `token` only. */
  metrics: { enabled: boolean; path: string; token?: string };
  /** OpenAPI for the JSON routes apps describe, browsable at `path`. */
  openapi: { enabled: boolean; path: string };
  /** Where and how background jobs run (`tessera worker`, in the server, or on `drain()`). */
  jobs: JobsSettings;
}

/**
 * The Fastify hooks an app may add to every route Tessera mounts (`site.addRequestHook`), never
 * to the host server's own routes.
 */
export interface RequestHooks {
  onRequest: onRequestHookHandler | onRequestAsyncHookHandler;
  preHandler: preHandlerHookHandler | preHandlerAsyncHookHandler;
  onSend: onSendHookHandler | onSendAsyncHookHandler;
  onResponse: onResponseHookHandler | onResponseAsyncHookHandler;
}

/**
 * Meeting points between apps that do not know each other, defined here so neither imports the
 * other (DESIGN: "Where two apps meet"). An installed app replaces a default; without it the
 * calls cost nothing.
 */
export interface SiteServices {
  /** Drops every cached page or value tagged with one of `tags` (the cache app implements it). */
  invalidateTags(tags: string[]): Promise<void>;
  /** Counters apps publish for the metrics endpoint, by app name (`cache` → hits, misses…). */
  stats: Map<string, () => Record<string, number>>;
}

/** Everything an app can reach of the site it is installed in. One per site; no globals. */
export interface SiteContext {
  settings: SiteSettings;
  /** The installed apps in boot order (core first). */
  apps: AppSpec[];
  orm: MikroORM;
  hooks: Hooks;
  /** The site's background jobs: `enqueue`, and `drain` in tests. */
  jobs: Jobs;
  routes: RouteTable;
  url: UrlFor;
  templates: Templates;
  mail: Mailer;
  log: FastifyBaseLogger;
  services: SiteServices;
  /** The database server the site uses (without database name), for scratch databases. */
  serverUrl: string;
  /** Each app's resolved options, by app name. */
  options: Map<string, unknown>;
  /** Each app's state for this site, by typed key (`site.state.get(BLOG)`). */
  state: SiteState;
  /** Functions run when the site closes, last added first. */
  onClose(fn: () => Promise<void> | void): void;
  /** Adds values every rendered template sees (auth adds `user`). */
  addContextProcessor(fn: (request: FastifyRequest) => Record<string, unknown>): void;
  /**
   * Adds a hook to every route Tessera mounts (apps', the site's, core's), after the kernel's
   * own for that stage: auth loads the current user `onRequest`, after the session. The host
   * server's own routes never run it. Call it from `setup`, before routes are mounted.
   */
  addRequestHook<N extends keyof RequestHooks>(name: N, fn: RequestHooks[N]): void;
  /**
   * Lets `fn` answer a request before the per-request set-up (session, current user, the
   * request's EntityManager) — after the security headers and the rate limit. For answers that
   * need none of it, such as a stored page for a visitor without cookies: `fn` sends the reply
   * and returns it, or returns anything else (without sending) to let the request go on.
   */
  respondEarly(fn: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>): void;
}
