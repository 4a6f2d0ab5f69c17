import { defineEntity, p } from '@tessera/core';
import { Permission } from './permission.entity.ts';

/** A named set of permissions; a user in the group holds them all (`editors`). */
export const GroupSchema = defineEntity({
  name: 'Group',
  tableName: 'auth_group',
  properties: {
    id: p.integer().primary(),
    name: p.string().length(150).unique(),
    permissions: () => p.manyToMany(Permission).pivotTable('auth_group_permissions'),
  },
});

/** A group of users sharing permissions. */
export class Group extends GroupSchema.class {}
GroupSchema.setClass(Group);
