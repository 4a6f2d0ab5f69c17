import { defineEntity, p } from '@tessera/core';

/**
 * A permission, named `<app>.<action>` (`blog.add_entry`). Apps declare theirs with
 * `ensurePermissions`; users hold them directly or through groups.
 */
export const PermissionSchema = defineEntity({
  name: 'Permission',
  tableName: 'auth_permission',
  properties: {
    id: p.integer().primary(),
    codename: p.string().length(100).unique(),
    /** A human label for admin screens ("Can add entry"). */
    name: p.string().length(255).default(''),
  },
});

/** A permission codename (`blog.add_entry`) with a label. */
export class Permission extends PermissionSchema.class {}
PermissionSchema.setClass(Permission);
