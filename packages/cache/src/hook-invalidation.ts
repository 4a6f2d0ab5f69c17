import type { HookName, Hooks } from '@tessera/core';
import type { CacheLogger } from './store.ts';
import type { HookTagMapper } from './options.ts';

/**
 * Listens to each hook the site maps in `hookTags` and invalidates the tags its payload maps to.
 * The cache knows no hook of its own accord: apps invalidate their own tags (core's
 * `invalidateOnCommit`); this is for a site that wants a hook to drop more (`'home'` when an
 * entry is published).
 */
export function listenForInvalidations(
  hooks: Hooks,
  hookTags: Readonly<Record<string, HookTagMapper | undefined>>,
  invalidate: (tags: string[]) => Promise<void>,
  log: CacheLogger & { error(obj: object, msg: string): void },
): void {
  for (const [hook, mapper] of Object.entries(hookTags)) {
    if (mapper === undefined) continue;
    const tagsOf = typeof mapper === 'function' ? mapper : () => [...mapper];
    // A name the site chose: the boot refuses one no installed app fires (tessera.E011).
    hooks.on(
      hook as HookName,
      async function invalidateCacheTags(payload: unknown) {
        let tags: string[];
        try {
          tags = tagsOf(payload);
        } catch (err) {
          log.error(
            { err: { message: (err as Error).message }, hook },
            `cache: the tags for hook '${hook}' could not be worked out; pages it changed may be stale until they expire`,
          );
          return;
        }
        await invalidate(tags);
      } as never,
    );
  }
}
