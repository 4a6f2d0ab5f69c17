// The permissions the admin checks, `<app>.<action>_<entity>`, exist for every registered entity
// (and every action's own), whether or not its app depends on auth: the admin declares them with
// auth's `ensurePermissions` when the site is ready (docs/decisions/0012-admin-registrations.md).
import { ensurePermissions, type PermissionSpec } from '@tessera/auth';
import type { SiteContext } from '@tessera/core';
import type { AdminModel } from './models.ts';

const VERBS = ['view', 'add', 'change', 'delete'] as const;

/** Every permission the registered models need, with a label ("Can change entry"). */
export function modelPermissions(models: readonly AdminModel[]): PermissionSpec[] {
  const specs = new Map<string, PermissionSpec>();
  for (const model of models) {
    for (const verb of VERBS)
      specs.set(model.codename(verb), {
        codename: model.codename(verb),
        name: `Can ${verb} ${model.label}`,
      });
    for (const action of model.registration.actions ?? [])
      if (action.permission && !specs.has(action.permission))
        specs.set(action.permission, action.permission);
  }
  return [...specs.values()];
}

/**
 * Declares them (one idempotent statement). A database not migrated yet (a production boot
 * before `tessera migrate`) has no permission table: the admin says so and the next boot does it.
 */
export async function declarePermissions(
  site: SiteContext,
  models: readonly AdminModel[],
): Promise<void> {
  const em = site.orm.em.fork();
  try {
    await ensurePermissions(em, modelPermissions(models));
  } catch (err) {
    if ((err as { code?: string }).code !== '42P01') throw err;
    site.log.warn('admin: auth_permission does not exist yet; run `tessera migrate`.');
  }
}
