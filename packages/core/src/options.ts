import type { Static, TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { ImproperlyConfigured } from './errors.ts';

/**
 * Checks `input` against an app's options schema, then fills defaults, into a new object.
 * A bad option fails with the app's name, the field and what was expected (like @fastify/session).
 */
export function resolveOptions<S extends TSchema>(
  app: string,
  schema: S,
  input: unknown,
): Static<S> {
  const withDefaults = Value.Default(schema, Value.Clone(input ?? {}));
  if (!Value.Check(schema, withDefaults)) {
    const first = [...Value.Errors(schema, withDefaults)][0];
    const field = first ? pathToField(first.instancePath) : '(root)';
    const got = first ? describe(valueAt(withDefaults, first.instancePath)) : 'an invalid value';
    throw new ImproperlyConfigured(
      `App '${app}': option '${field}' ${first?.message ?? 'is invalid'} (got ${got}).`,
    );
  }
  return withDefaults as Static<S>;
}

function pathToField(path: string): string {
  return path.replace(/^\//, '').replaceAll('/', '.') || '(root)';
}

function valueAt(root: unknown, path: string): unknown {
  let value: unknown = root;
  for (const key of path.split('/').filter(Boolean)) {
    value = (value as Record<string, unknown> | undefined)?.[key];
  }
  return value;
}

function describe(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (value === undefined) return 'nothing';
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
