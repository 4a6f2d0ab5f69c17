import type { EntityManager, Hooks, HookName, HookPayloads } from '@tessera/core';

/**
 * Runs `fn` and fails unless the number of rows of `entity` changed by exactly `delta`
 * ("a rejected request changes nothing": `expectCountChange(em, ContactMessage, 0, ...)`).
 */
export async function expectCountChange<T>(
  em: () => EntityManager,
  entity: unknown,
  delta: number,
  fn: () => Promise<T>,
): Promise<T> {
  const before = await em().count(entity as never);
  const result = await fn();
  const after = await em().count(entity as never);
  if (after - before !== delta) {
    const name = (entity as { name?: string }).name ?? 'entity';
    throw new Error(
      `Expected ${name} count to change by ${delta}, but it changed by ${after - before} (${before} → ${after}).`,
    );
  }
  return result;
}

/** Records every payload a hook receives, in order: `const saved = recordHook(site.hooks, 'blog:entry-saved')`. */
export function recordHook<N extends HookName>(hooks: Hooks, name: N): HookPayloads[N][] {
  const calls: HookPayloads[N][] = [];
  hooks.on(name, function recordForTest(payload) {
    calls.push(payload);
  });
  return calls;
}
