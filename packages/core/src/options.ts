// An app's options checked and filled: keys the app does not have (with the closest one it
// does), values against the schema, and the override points' shapes — into a new object with
// every default, so `false` and `0` survive. Form options given as functions are wrapped so
// each form they answer is checked too.
import type { Static, TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { SystemCheckFailed, checkError, type CheckMessage } from './checks.ts';
import { didYouMean } from './did-you-mean.ts';
import { checkFormFunctions, checkOverrideShapes } from './overrides.ts';
import { describeValue, schemaErrors } from './settings-schema.ts';

/** The options an app was given, checked: the filled-in options, and what is wrong with them. */
export function checkOptions<S extends TSchema>(
  app: string,
  schema: S,
  input: unknown,
): { options: Static<S>; messages: CheckMessage[] } {
  const messages: CheckMessage[] = [];
  const given = input ?? {};
  if (typeof given !== 'object' || Array.isArray(given)) {
    messages.push(
      checkError(
        'tessera.E005',
        `App '${app}': options must be an object (got ${describeValue(given)}).`,
      ),
    );
    return { options: {} as Static<S>, messages };
  }
  const known = Object.keys((schema as { properties?: Record<string, unknown> }).properties ?? {});
  const unknown = Object.keys(given).filter((key) => !known.includes(key));
  for (const key of unknown) {
    messages.push(
      checkError(
        'tessera.E005',
        `App '${app}': '${key}' is not an option of this app.`,
        didYouMean(key, known).trim() || `Its options: ${known.join(', ')}.`,
      ),
    );
  }
  const known_ = Object.fromEntries(Object.entries(given).filter(([key]) => known.includes(key)));
  const options = checkFormFunctions(
    app,
    schema,
    Value.Default(schema, Value.Clone(known_)) as Record<string, unknown>,
  );
  for (const [path, problem] of schemaErrors(schema, options)) {
    messages.push(
      checkError('tessera.E005', `App '${app}': option '${path || '(root)'}' ${problem}.`),
    );
  }
  messages.push(...checkOverrideShapes(app, schema, options));
  return { options: options as Static<S>, messages };
}

/**
 * Checks `input` against an app's options schema, then fills defaults, into a new object.
 * A bad option fails with the app's name, the field and what was expected (like @fastify/session).
 */
export function resolveOptions<S extends TSchema>(
  app: string,
  schema: S,
  input: unknown,
): Static<S> {
  const { options, messages } = checkOptions(app, schema, input);
  if (messages.some((m) => m.level === 'error')) throw new SystemCheckFailed(messages);
  return options;
}
