import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { AppSpec } from './app.ts';
import type { Hooks } from './hooks.ts';
import type { Mailer } from './mail.ts';
import type { SiteSettings } from './settings.ts';
import type { Templates } from './templates.ts';
import type { RouteTable, UrlFor } from './urls.ts';

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
  /** Functions run when the site closes, last added first. */
  onClose(fn: () => Promise<void> | void): void;
  /** Adds values every rendered template sees (auth adds `user`). */
  addContextProcessor(fn: (request: FastifyRequest) => Record<string, unknown>): void;
  /**
   * Lets `fn` answer a request before the per-request set-up (session, current user, the
   * request's EntityManager) — after the security headers and the rate limit. For answers that
   * need none of it, such as a stored page for a visitor without cookies: `fn` sends the reply
   * and returns it, or returns anything else (without sending) to let the request go on.
   */
  respondEarly(fn: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>): void;
}
