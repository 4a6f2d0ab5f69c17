import type { EntityManager } from '@mikro-orm/postgresql';
import type { SiteContext } from '../contract.ts';

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

// The cache tags waiting for each transaction's commit, by its `onCommit`.
const pending = new WeakMap<OnCommit, Set<string>>();

/**
 * Invalidates cache `tags` (`site.services.invalidateTags`) once the transaction `onCommit`
 * belongs to has committed: every tag given for one transaction — by the app that changed its
 * rows and by the apps it called inside (the blog, and tagging for the entry's tags) — in one
 * call, after the commit, so one save invalidates once and a rolled-back one not at all. Each app
 * names its own tags; a cache that fails is logged, since the change has committed.
 */
export function invalidateOnCommit(
  site: Pick<SiteContext, 'services' | 'log'>,
  onCommit: OnCommit,
  tags: Iterable<string>,
): void {
  let waiting = pending.get(onCommit);
  if (!waiting) {
    const collected = new Set<string>();
    waiting = collected;
    pending.set(onCommit, collected);
    onCommit(async function invalidateCommittedTags() {
      pending.delete(onCommit);
      if (!collected.size) return;
      try {
        await site.services.invalidateTags([...collected]);
      } catch (err) {
        site.log.error({ err, tags: [...collected] }, 'invalidating cache tags failed');
      }
    });
  }
  for (const tag of tags) waiting.add(tag);
}
