/** @tessera/core — the kernel every Tessera app builds on. */
import './augment.ts';

export type { CurrentUser, FlashLevel, RouteCachePolicy } from './augment.ts';
export { defineApp, fromPackageJson } from './app.ts';
export type { AppCommand, AppContext, AppFactory, AppInput, AppSpec, InstalledApp } from './app.ts';
export { resolveOptions } from './options.ts';
export * from './errors.ts';
export { Hooks, veto } from './hooks.ts';
export type { HookListener, HookName, HookPayloads, HookResult, Veto } from './hooks.ts';
export { RouteTable, isSafePath, resolveRedirect } from './urls.ts';
export type {
  Endpoint,
  NamedRoute,
  RegisteredRoute,
  RedirectTarget,
  RouteName,
  RouteParams,
  UrlArgs,
  UrlFor,
} from './urls.ts';
export {
  Form,
  defineForm,
  fields,
  DEFAULT_MAX_LENGTH,
  DEFAULT_TEXTAREA_MAX_LENGTH,
  RESERVED_INPUTS,
} from './forms.ts';
export type {
  BoundForm,
  CleanStep,
  Field,
  FieldParse,
  FormData,
  FormErrors,
  Widget,
} from './forms.ts';
export { Templates, CORE_TEMPLATES, safeJson, toDir } from './templates.ts';
export type { TemplateSource } from './templates.ts';
export { Mailer } from './mail.ts';
export type { MailMessage, MailTransportSetting, SentMail } from './mail.ts';
export {
  DEFAULT_SETTINGS,
  EnvSchema,
  defineSettings,
  environmentName,
  loadEnv,
  parseList,
} from './settings.ts';
export type {
  Env,
  Environment,
  RouteOverride,
  SettingsInput,
  SiteRoutes,
  SiteSettings,
} from './settings.ts';
export type { SiteContext, SiteServices } from './site-context.ts';
export { default as createError } from '@fastify/error';
export {
  CORE_VERSION,
  cacheTagsOf,
  coreApp,
  checkCompatibility,
  createSite,
  orderApps,
  wantsJson,
} from './site.ts';
export type { CreateSiteOptions } from './site.ts';
export { countQueries, queryStats } from './db/orm.ts';
export type { QueryStats } from './db/orm.ts';
export {
  collectMigrations,
  makeMigration,
  migrate,
  pendingMigrations,
  schemaDrift,
} from './db/migrations.ts';
export {
  dropDatabase,
  serverAnswers,
  ensureDatabase,
  freePort,
  splitDatabaseUrl,
  startEmbedded,
} from './db/embedded.ts';
export type { EmbeddedServer } from './db/embedded.ts';
export { transaction } from './db/transaction.ts';
export type { OnCommit } from './db/transaction.ts';
export { collectStatic } from './collectstatic.ts';
export { main as runCli, loadSettings } from './cli.ts';
export { Migration } from '@mikro-orm/migrations';
export type { MigrationObject } from '@mikro-orm/core';
export { defineEntity, p } from '@mikro-orm/core';
export type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
