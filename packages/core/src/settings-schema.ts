// A site's settings checked at boot: every value against its type (the error names the setting
// and what was given), unknown keys with the closest known one, and mounts of apps the site
// does not install.
import { Type, type TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { checkError, type CheckMessage } from './checks.ts';
import { didYouMean } from './did-you-mean.ts';

const fn = Type.Unsafe<(...args: never[]) => unknown>(Type.Any());
const urlOrPath = Type.Unsafe<URL | string>(Type.Any());
const nonEmpty = Type.String({ minLength: 1 });

/** The shape of a site's settings (what `defineSettings` answers). */
export const SettingsSchema = Type.Object(
  {
    env: Type.Union([
      Type.Literal('development'),
      Type.Literal('production'),
      Type.Literal('test'),
    ]),
    debug: Type.Boolean(),
    siteName: nonEmpty,
    apps: Type.Array(
      Type.Object({ spec: Type.Object({ name: Type.String() }), input: Type.Any() }),
    ),
    routes: Type.Object(
      {
        mounts: Type.Record(Type.String(), Type.String({ pattern: '^/' })),
        register: Type.Optional(fn),
      },
      { additionalProperties: false },
    ),
    templates: Type.Optional(urlOrPath),
    static: Type.Optional(urlOrPath),
    serveStatic: Type.Boolean(),
    databaseUrl: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
    embeddedDir: nonEmpty,
    poolSize: Type.Integer({ minimum: 1, maximum: 1000 }),
    secretKey: Type.String({ minLength: 32 }),
    mail: Type.Object(
      { transport: nonEmpty, from: nonEmpty, managers: Type.Array(Type.String()) },
      { additionalProperties: false },
    ),
    session: Type.Object(
      {
        cookieName: Type.String({ pattern: '^[A-Za-z0-9_-]+$' }),
        secure: Type.Boolean(),
        maxAgeSeconds: Type.Integer({ minimum: 1 }),
      },
      { additionalProperties: false },
    ),
    listeners: Type.Optional(fn),
    routeOverrides: Type.Optional(
      Type.Record(
        Type.String(),
        Type.Object(
          { preHandler: Type.Optional(fn), handler: Type.Optional(fn) },
          { additionalProperties: false },
        ),
      ),
    ),
    logLevel: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    ),
    prettyLogs: Type.Boolean(),
    host: nonEmpty,
    port: Type.Integer({ minimum: 0, maximum: 65535 }),
    trustProxy: Type.Union([Type.Boolean(), Type.String(), Type.Array(Type.String())]),
    bodyLimit: Type.Integer({ minimum: 1 }),
    timeouts: Type.Object(
      { headers: Type.Integer({ minimum: 1 }), request: Type.Integer({ minimum: 0 }) },
      { additionalProperties: false },
    ),
    rateLimit: Type.Union([
      Type.Literal(false),
      Type.Object(
        {
          max: Type.Integer({ minimum: 1 }),
          timeWindow: Type.Union([Type.Integer({ minimum: 1 }), nonEmpty]),
          redis: Type.Optional(Type.String({ pattern: '^rediss?://' })),
        },
        { additionalProperties: false },
      ),
    ]),
    metrics: Type.Object(
      {
        enabled: Type.Boolean(),
        path: Type.String({ pattern: '^/' }),
        token: Type.Optional(Type.String({ minLength: 16 })),
      },
      { additionalProperties: false },
    ),
    openapi: Type.Object(
      { enabled: Type.Boolean(), path: Type.String({ pattern: '^/' }) },
      { additionalProperties: false },
    ),
    jobs: Type.Object(
      {
        run: Type.Union(['auto', 'server', 'worker', 'manual'].map((r) => Type.Literal(r))),
        concurrency: Type.Integer({ minimum: 1, maximum: 100 }),
        pollIntervalSeconds: Type.Number({ minimum: 0.5 }),
        scheduleIntervalSeconds: Type.Integer({ minimum: 1, maximum: 45 }),
        shutdownTimeoutMs: Type.Integer({ minimum: 1000 }),
        schedules: Type.Record(
          Type.String(),
          Type.Union([Type.Literal(false), Type.String({ minLength: 1 })]),
        ),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

/** Keys `register(tessera, …)` takes beside the settings (boot options, Fastify's own). */
const REGISTER_KEYS = new Set(['migrate', 'notFound', 'checks', 'prefix', 'logSerializers']);

/** Checks a site's settings: types (E001), unknown keys (E002), mounts of apps not installed (E006). */
export function checkSettings(settings: Record<string, unknown>): CheckMessage[] {
  const found: CheckMessage[] = [];
  const known = Object.keys(SettingsSchema.properties);
  const given: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings)) {
    if (REGISTER_KEYS.has(key)) continue;
    if (!known.includes(key)) {
      found.push(
        checkError(
          'tessera.E002',
          `Setting '${key}' is not a Tessera setting.`,
          didYouMean(key, known).trim() || `Known settings: ${known.join(', ')}.`,
        ),
      );
      continue;
    }
    given[key] = value;
  }
  for (const [path, problem] of schemaErrors(SettingsSchema, given)) {
    const top = path.split('.')[0]!;
    const sub = SettingsSchema.properties[
      top as keyof typeof SettingsSchema.properties
    ] as TSchema & {
      properties?: Record<string, unknown>;
    };
    const unknownSub = problem.startsWith('must not have additional properties');
    found.push(
      checkError(
        unknownSub ? 'tessera.E002' : 'tessera.E001',
        unknownSub
          ? `Setting '${path}' is not a Tessera setting.`
          : `Setting '${path}' ${problem}.`,
        unknownSub && sub.properties
          ? didYouMean(path.split('.').at(-1)!, Object.keys(sub.properties)).trim() || undefined
          : undefined,
      ),
    );
  }
  const apps = Array.isArray(settings.apps)
    ? (settings.apps as { spec?: { name?: unknown } }[]).map((a) => String(a?.spec?.name))
    : [];
  const routes = settings.routes as { mounts?: Record<string, unknown> } | undefined;
  for (const app of Object.keys(routes?.mounts ?? {})) {
    if (app === 'core' || apps.includes(app)) continue;
    found.push(
      checkError(
        'tessera.E006',
        `routes.mounts names app '${app}', which the site does not install.`,
        didYouMean(app, apps).trim() || `Installed apps: ${apps.join(', ') || 'none'}.`,
      ),
    );
  }
  return found;
}

/**
 * Each value that fails `schema` as `[path, problem]`: `['rateLimit.max', 'must be integer (got
 * "lots")']`, the most specific error of each value (not every branch a union tried).
 */
export function schemaErrors(schema: TSchema, value: unknown): [string, string][] {
  if (Value.Check(schema, value)) return [];
  const seen = new Map<string, string>();
  for (const e of Value.Errors(schema, value)) {
    const path = e.instancePath.replace(/^\//, '').replaceAll('/', '.');
    if (e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperties?: string[] }).additionalProperties ?? [];
      for (const key of extra)
        seen.set(path ? `${path}.${key}` : key, 'must not have additional properties');
      continue;
    }
    if (seen.has(path)) continue;
    const choices = literalsAt(schema, path);
    const problem = choices
      ? `must be one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`
      : e.message;
    const got = valueAt(value, path);
    seen.set(
      path,
      `${problem} (got ${secret(path) && typeof got === 'string' ? `a secret of ${got.length} characters` : describeValue(got)})`,
    );
  }
  // A union reports each branch it tried: keep the deepest finding under each value.
  return [...seen].filter(([path]) => ![...seen.keys()].some((p) => p.startsWith(`${path}.`)));
}

/** The literal values a union of literals at `path` allows, if that is what it is. */
function literalsAt(schema: TSchema, path: string): unknown[] | undefined {
  let at = schema as TSchema & { properties?: Record<string, TSchema>; anyOf?: TSchema[] };
  for (const key of path.split('.').filter(Boolean)) {
    const next = at.properties?.[key];
    if (!next) return undefined;
    at = next as typeof at;
  }
  const branches = at.anyOf;
  if (!branches?.length || !branches.every((b) => 'const' in b)) return undefined;
  return branches.map((b) => (b as { const: unknown }).const);
}

/** Settings and options whose values an error message must never print. */
function secret(path: string): boolean {
  return /(secret|password|token|key)$/i.test(path.split('.').at(-1) ?? '');
}

function valueAt(root: unknown, path: string): unknown {
  let value = root;
  for (const key of path.split('.').filter(Boolean))
    value = (value as Record<string, unknown> | undefined)?.[key];
  return value;
}

/** A value as an error message shows it. */
export function describeValue(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (value === undefined) return 'nothing';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
