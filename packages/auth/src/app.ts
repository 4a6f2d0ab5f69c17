import { ImproperlyConfigured, defineApp, fromPackageJson } from '@tessera/core';
import { authAdmin } from './admin.ts';
import { createUserCommand, pruneCommand } from './commands.ts';
import { currentUserHook } from './current-user.ts';
import { Group } from './group.entity.ts';
import { migrations } from './migrations/index.ts';
import { AuthOptions } from './options.ts';
import { Permission } from './permission.entity.ts';
import { authJobs } from './reset-mail.ts';
import { authRoutes } from './routes.ts';
import { AUTH, AuthRuntime } from './runtime.ts';
import { User } from './user.entity.ts';
import './augment.ts';

/** The hooks auth fires. */
export const AUTH_HOOKS = [
  'auth:user-registered',
  'auth:logged-in',
  'auth:logged-out',
  'auth:login-failed',
  'auth:password-changed',
] as const;

/**
 * Users, groups and permissions; sign in, sign out, register, change and reset passwords; guards
 * for other apps' routes. `apps: [auth()]`, mounted with `mounts: { auth: '/accounts' }`.
 */
export const auth = defineApp({
  name: 'auth',
  ...fromPackageJson(new URL('../package.json', import.meta.url)),
  entities: [User, Group, Permission],
  migrations,
  migrationsDir: new URL('./migrations/', import.meta.url),
  templates: new URL('../templates/', import.meta.url),
  options: AuthOptions,
  hooks: AUTH_HOOKS,
  setup(fastify, ctx) {
    const { site, options } = ctx;
    if (site.settings.env === 'production' && !options.siteUrl) {
      throw new ImproperlyConfigured(
        "App 'auth': option 'siteUrl' must be set in production (https://your.site): password reset links would otherwise trust the request's Host header.",
      );
    }
    const runtime = new AuthRuntime(site, options);
    site.state.set(AUTH, runtime);
    site.addRequestHook('onRequest', currentUserHook(runtime));
    site.addContextProcessor(function authContext(request) {
      return { user: request.user, auth_registration: options.registration };
    });
  },
  routes: authRoutes,
  jobs: authJobs,
  admin: authAdmin,
  commands: {
    createuser: createUserCommand(),
    'auth:prune': pruneCommand(),
  },
});
