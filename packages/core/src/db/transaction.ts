import type { EntityManager } from '@mikro-orm/postgresql';

/** Registers work to run once the surrounding transaction has committed. */
export type OnCommit = (fn: () => Promise<void> | void) => void;

/**
 * Runs `fn` in one database transaction; what `fn` hands to `onCommit` runs only after the commit
 * succeeded (after-commit hooks: a rolled-back save announces nothing).
 */
export async function transaction<T>(
  em: EntityManager,
  fn: (tx: EntityManager, onCommit: OnCommit) => Promise<T>,
): Promise<T> {
  const after: (() => Promise<void> | void)[] = [];
  const result = await em.transactional((tx) =>
    fn(tx as EntityManager, (cb) => void after.push(cb)),
  );
  for (const cb of after) await cb();
  return result;
}
