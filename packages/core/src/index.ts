/** @tessera/core — the kernel every Tessera app builds on: what apps and sites use. */
import './augment.ts';

export type { CurrentUser, FlashLevel, RouteCachePolicy } from './augment.ts';
export { defineApp, fromPackageJson } from './app.ts';
export type {
  AppCommand,
  AppContext,
  AppFactory,
  AppInput,
  AppSpec,
  Environment,
  InstalledApp,
  RequestHooks,
  RouteOverride,
  SiteContext,
  SiteRoutes,
  SiteServices,
  SiteSettings,
} from './contract.ts';
export { defineAdmin } from './admin-contract.ts';
export type {
  AdminAction,
  AdminContext,
  AdminEntity,
  AdminField,
  AdminFilter,
  AdminRegistration,
  AdminRow,
} from './admin-contract.ts';
export { tessera } from './plugin.ts';
export type { TesseraOptions } from './plugin.ts';
export { createSite, serverOptions } from './create-site.ts';
export type { CreateSiteOptions } from './create-site.ts';
export { checkOptions, resolveOptions } from './options.ts';
export { choose, isForm, override } from './overrides.ts';
export { formView, refuse, withoutSecrets } from './form-view.ts';
export type { FormHandler, FormViewOptions, Refusal } from './form-view.ts';
export type { FieldsOf, FormChoice, OverrideKind, TemplateChoice } from './overrides.ts';
export { SystemCheckFailed, checkError, checkWarning, formatChecks } from './checks.ts';
export type { CheckLevel, CheckMessage } from './checks.ts';
export { closest, didYouMean } from './did-you-mean.ts';
export { AppNotInstalled, NotASiteEntityManager, SiteState, siteOf, stateKey } from './state.ts';
export type { StateKey } from './state.ts';
export * from './errors.ts';
export { problem, statusTitle, wantsJson } from './error-pages.ts';
export type { Problem } from './error-pages.ts';
export { cacheTagsOf, isPersonal, markPersonal } from './replies.ts';
export { Jobs, JOBS_SCHEMA } from './jobs/jobs.ts';
export type { DeclaredJob, DrainReport, JobFailure, JobFigures, QueuedJob } from './jobs/jobs.ts';
export {
  DEFAULT_JOB_KEEP_SECONDS,
  DEFAULT_JOB_RETRY,
  DEFAULT_JOB_TIMEOUT_SECONDS,
} from './jobs/types.ts';
export type {
  EnqueueOptions,
  JobContext,
  JobDeclarations,
  JobDefinition,
  JobName,
  JobPayloads,
  JobSchedule,
  JobsRunIn,
  JobsSettings,
  RetryPolicy,
  UndeclaredJob,
} from './jobs/types.ts';
export { Hooks, veto } from './hooks.ts';
export type { HookListener, HookName, HookPayloads, HookResult, Veto } from './hooks.ts';
export { RouteTable, isSafePath, resolveRedirect, safePath } from './urls.ts';
export type {
  Endpoint,
  NamedRoute,
  RegisteredRoute,
  RedirectName,
  RedirectTarget,
  RouteName,
  SitePath,
  RouteParams,
  UrlArgs,
  UrlFor,
} from './urls.ts';
export { fields, DEFAULT_MAX_LENGTH, DEFAULT_TEXTAREA_MAX_LENGTH } from './fields.ts';
export type { Field, FieldParse, Widget } from './fields.ts';
export { Form, defineForm, RESERVED_INPUTS } from './forms.ts';
export type { BoundForm, CleanStep, FormData, FormErrors } from './forms.ts';
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
export type { Env, SettingsInput } from './settings.ts';
export { countQueries, queryStats } from './db/orm.ts';
export type { QueryStats } from './db/orm.ts';
export { PostgresRateLimitStore, pruneRateLimits, rateLimitStore } from './db/rate-limit-store.ts';
export type {
  RateLimitCount,
  RateLimitSite,
  RateLimitWindowOptions,
} from './db/rate-limit-store.ts';
export { RateLimitCounter } from './db/rate-limit.entity.ts';
export { CompiledReads, kysely } from './db/kysely.ts';
export type { SlotOf, TablesOf } from './db/kysely.ts';
// Kysely's SQL pieces, from core so every app builds its reads with the one copy MikroORM runs.
export { sql } from 'kysely';
export { jsonBuildObject } from 'kysely/helpers/postgres';
export type { Expression, ExpressionBuilder, Kysely, SqlBool } from 'kysely';
export { invalidateOnCommit, transaction } from './db/transaction.ts';
export type { OnCommit } from './db/transaction.ts';
export { default as createError } from '@fastify/error';
export { Migration } from '@mikro-orm/migrations';
export type { MigrationObject } from '@mikro-orm/core';
export { defineEntity, p } from '@mikro-orm/core';
export type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
