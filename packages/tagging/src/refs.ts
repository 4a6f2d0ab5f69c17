import type { EntityManager } from '@tessera/core';
import { InvalidEntityRef, UnknownEntityType } from './errors.ts';
import { ENTITY_TYPE_COLUMN_LENGTH } from './tagged-item.entity.ts';

/** A reference to any app's entity without importing it: its type and primary key. */
export interface EntityRef {
  /** The entity's type: its table name by convention (`blog_entry`). */
  type: string;
  /** Its integer primary key. */
  id: number;
}

/** An entity class of any installed app (`Entry`), as MikroORM knows it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type EntityClass = abstract new (...args: any[]) => object;

/** A type of entity: its type string (`'blog_entry'`) or its entity class (`Entry`). */
export type EntityType = string | EntityClass;

/** Something to tag: an entity instance (with its id set) or an `{ type, id }` reference. */
export type TagTarget = EntityRef | object;

/** What entity type strings look like: table names, optionally dotted (`blog_entry`, `shop.product`). */
const TYPE_PATTERN = /^[a-z][a-z0-9_.]*$/;
/** The largest id an `integer` column holds. */
const MAX_ID = 2_147_483_647;

/**
 * The type string of `type`: a string as given (checked), or the table name MikroORM maps an
 * entity class to. One convention everywhere: an entity's type is its table name.
 */
export function typeOf(em: EntityManager, type: EntityType): string {
  if (typeof type === 'string') return checkType(type);
  if (typeof type !== 'function') {
    throw new InvalidEntityRef('An entity type is a string or an entity class.');
  }
  const meta = em.getMetadata().find(type);
  if (!meta) throw new UnknownEntityType(type.name || '(anonymous class)');
  return checkType(meta.tableName);
}

function checkType(type: string): string {
  if (type.length > ENTITY_TYPE_COLUMN_LENGTH || !TYPE_PATTERN.test(type)) {
    throw new InvalidEntityRef(
      `Entity type ${JSON.stringify(type.slice(0, 120))} must be lower-case letters, digits, '_' and '.', starting with a letter, at most ${ENTITY_TYPE_COLUMN_LENGTH} characters.`,
    );
  }
  return type;
}

/** Checks an entity id: a positive integer an `integer` column holds. */
export function checkId(id: unknown): number {
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 1 || id > MAX_ID) {
    throw new InvalidEntityRef(
      `Entity id ${JSON.stringify(id) ?? String(id)} must be a positive whole number (save the entity first).`,
    );
  }
  return id;
}

/**
 * The `{ type, id }` of what to tag. An instance of one of the site's entities answers its table
 * name and primary key (it must have been flushed so it has one); any other object must be an
 * `{ type, id }` reference.
 */
export function refOf(em: EntityManager, target: TagTarget): EntityRef {
  if (typeof target !== 'object' || target === null) {
    throw new InvalidEntityRef('Tag an entity instance or an { type, id } reference.');
  }
  const meta = em.getMetadata().find(target.constructor);
  if (meta) {
    if (meta.primaryKeys.length !== 1) {
      throw new InvalidEntityRef(`Entity ${meta.className} has a composite primary key.`);
    }
    const id = (target as Record<string, unknown>)[meta.primaryKeys[0]!];
    return { type: checkType(meta.tableName), id: checkId(id) };
  }
  const { type, id } = target as Partial<EntityRef>;
  if (typeof type !== 'string') {
    throw new InvalidEntityRef(
      'Tag an entity instance of an installed app, or an { type, id } reference.',
    );
  }
  return { type: checkType(type), id: checkId(id) };
}
