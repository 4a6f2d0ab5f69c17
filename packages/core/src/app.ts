import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { MigrationObject } from '@mikro-orm/core';
import type { Static, TSchema } from 'typebox';
import type { SiteContext } from './site-context.ts';

/** A command an app adds to the `tessera` CLI (`tessera createuser`, `tessera contact-form:deliver`). */
export interface AppCommand {
  /** One line for `tessera help`. */
  description: string;
  /** Runs with the booted site and the words after the command; returns the exit code. */
  run(site: SiteContext, args: string[]): Promise<number | void>;
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
  /** Runs once at boot on the site's root instance: decorators, hooks, listeners, services. */
  setup?(fastify: FastifyInstance, ctx: AppContext<Static<S>>): void | Promise<void>;
  /** Registers the app's routes, inside the prefix the site mounts it at. */
  routes?(fastify: FastifyInstance, ctx: AppContext<Static<S>>): void | Promise<void>;
  /** Commands this app adds to the CLI. */
  commands?: Record<string, AppCommand>;
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

/**
 * Declares an app. The result is a factory the site calls with options:
 * `export const blog = defineApp({ name: 'blog', ... })`, then `apps: [blog({ paginateBy: 10 })]`.
 */
export function defineApp<S extends TSchema>(spec: AppSpec<S>): AppFactory<S> {
  if (!/^[a-z][a-z0-9-]*$/.test(spec.name)) {
    throw new TypeError(`App name '${spec.name}' must be lower-case letters, digits and dashes.`);
  }
  const factory = (options?: AppInput<S>): InstalledApp<S> => ({ spec, input: options ?? {} });
  return Object.assign(factory, { spec });
}

/**
 * An app's `version` and `requires` read from its own package.json: a release moves the version
 * and the `@tessera/*` peer ranges there, and the app's compatibility guard follows without an edit.
 * `defineApp({ name: 'blog', ...fromPackageJson(new URL('../package.json', import.meta.url)), ... })`.
 */
export function fromPackageJson(file: URL): { version: string; requires: Record<string, string> } {
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as {
    version: string;
    peerDependencies?: Record<string, string>;
  };
  const requires = Object.fromEntries(
    Object.entries(pkg.peerDependencies ?? {}).filter(([name]) => name.startsWith('@tessera/')),
  );
  return { version: pkg.version, requires };
}
