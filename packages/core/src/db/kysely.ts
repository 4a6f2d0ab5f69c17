// Page reads as typed queries instead of SQL strings: Kysely through MikroORM 7's `em.getKysely()`,
// typed against the apps' entities — and counted with the ORM's own queries (`countQueries`, the
// debug `server-timing` header), which Kysely's queries would otherwise pass by unseen.
import { createHash } from 'node:crypto';
import {
  CompiledQuery,
  type Compilable,
  type Kysely,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import type { EntityManager, InferKyselyDB } from '@mikro-orm/postgresql';
import { queryStats } from './orm.ts';

/**
 * The Kysely database of some entities, from their `defineEntity` schemas: tables by table name,
 * columns by column name (`pub_date`, `author_id`), each typed as its property.
 * `type BlogTables = TablesOf<typeof EntrySchema | typeof UserSchema>`.
 */
export type TablesOf<S extends { name: string }> = InferKyselyDB<S>;

// When each counted query started, by Kysely's query id (only while something counts).
const started = new WeakMap<object, number>();

/** Counts each query a Kysely instance runs into the current `queryStats`, as the ORM's logger does. */
const countQueriesPlugin: KyselyPlugin = {
  transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
    if (queryStats.getStore()) started.set(queryId, performance.now());
    return node;
  },
  async transformResult({ result, queryId }: PluginTransformResultArgs) {
    const stats = queryStats.getStore();
    if (stats) {
      stats.count += 1;
      stats.ms += performance.now() - (started.get(queryId) ?? performance.now());
    }
    return result as QueryResult<UnknownRow>;
  },
};

// The counting instance of each Kysely MikroORM hands out: one for the pool's client, one per
// transaction — not a new one per call.
const counting = new WeakMap<object, Kysely<unknown>>();

/**
 * Kysely on `em` — its transaction when it is in one — typed as `DB` (`TablesOf<…>`), each query
 * counted like the ORM's: `await kysely<Tables>(request.em).selectFrom('notes_note').select(['id',
 * 'title']).execute()`. For a read a page runs on every request, `CompiledReads` saves building
 * and planning it each time.
 */
export function kysely<DB>(em: EntityManager): Kysely<DB> {
  const base = em.getKysely() as unknown as Kysely<DB>;
  let counted = counting.get(base);
  if (!counted) {
    counted = base.withPlugin(countQueriesPlugin) as Kysely<unknown>;
    counting.set(base, counted);
  }
  return counted as Kysely<DB>;
}

/** A place for a run's value in a query built once: `slot<number>('limit')`. */
export type SlotOf = <T>(name: string) => T;

class Slot {
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
}

/** One compiled read: its SQL, its statement name and where each parameter comes from. */
interface Compiled {
  sql: string;
  name: string;
  parameters: readonly unknown[];
}

/** The part of `pg`'s pool a prepared read uses. */
interface NativePool {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * Reads a page runs on every request, built with Kysely and compiled once per shape, each run
 * binding its own values — and, when `prepared`, run as named prepared statements, which
 * PostgreSQL plans once per connection instead of on every run (for a list page, planning costs
 * about what running does). Building and compiling a join of a few tables with Kysely costs a
 * few hundred microseconds, as much again. Inside a transaction, or with `prepared` off (behind
 * a pooler that cannot keep prepared statements), the compiled SQL runs as an ordinary query.
 * Every run is counted like the ORM's queries.
 *
 * ```ts
 * const reads = new CompiledReads<Tables>(site.orm.em, { prepared: true });
 * const rows = await reads.run(em, 'by-author', (db, slot) =>
 *   db.selectFrom('notes_note').select(['id', 'title']).where('author_id', '=', slot<number>('author')),
 *   { author: 7 });
 * ```
 *
 * A key names one shape of query: `build` runs the first time a key is seen, with `slot(name)`
 * standing for each value a run gives; everything else in it is fixed for that key.
 */
export class CompiledReads<DB> {
  readonly #builder: Kysely<DB>;
  readonly #prepared: boolean;
  readonly #compiled = new Map<string, Compiled>();

  /** `em`: any EntityManager of the site (it only builds); `prepared`: named prepared statements. */
  constructor(em: EntityManager, opts: { prepared: boolean }) {
    this.#builder = em.getKysely() as unknown as Kysely<DB>;
    this.#prepared = opts.prepared;
  }

  /** Runs the read of shape `key` on `em` with `values` for its slots. */
  async run<O>(
    em: EntityManager,
    key: string,
    build: (db: Kysely<DB>, slot: SlotOf) => Compilable<O>,
    values: Readonly<Record<string, unknown>>,
  ): Promise<O[]> {
    const compiled = this.#compiled.get(key) ?? this.#compile(key, build);
    const parameters = compiled.parameters.map((p) => {
      if (!(p instanceof Slot)) return p;
      if (!(p.name in values)) throw new Error(`The read '${key}' needs a value for '${p.name}'.`);
      return values[p.name];
    });
    const stats = queryStats.getStore();
    const t0 = performance.now();
    let rows: unknown[];
    if (this.#prepared && !em.isInTransaction()) {
      const pool = (await (
        em.getConnection() as unknown as { getNativeClient(): Promise<NativePool> }
      ).getNativeClient()) as NativePool;
      ({ rows } = await pool.query({
        name: compiled.name,
        text: compiled.sql,
        values: parameters,
      }));
    } else {
      ({ rows } = await em.getKysely().executeQuery(CompiledQuery.raw(compiled.sql, parameters)));
    }
    if (stats) {
      stats.count += 1;
      stats.ms += performance.now() - t0;
    }
    return rows as O[];
  }

  #compile<O>(key: string, build: (db: Kysely<DB>, slot: SlotOf) => Compilable<O>): Compiled {
    const slot = (<T>(name: string) => new Slot(name) as unknown as T) as SlotOf;
    const { sql, parameters } = build(this.#builder, slot).compile();
    // Named after its text: one statement per query shape and connection, in every process alike.
    const name = `tessera_${createHash('sha1').update(sql).digest('base64url')}`;
    const compiled = { sql, name, parameters };
    this.#compiled.set(key, compiled);
    return compiled;
  }
}
