import { readFileSync } from 'node:fs';
import type { TSchema } from 'typebox';
import type { AppFactory, AppInput, AppSpec, InstalledApp } from './contract.ts';

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
