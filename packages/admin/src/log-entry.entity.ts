import { defineEntity, p } from '@tessera/core';

/** What an admin log entry records. */
export const LOG_ACTIONS = ['add', 'change', 'delete', 'action'] as const;
/** One of `LOG_ACTIONS`. */
export type LogAction = (typeof LOG_ACTIONS)[number];

/**
 * One change made through the admin: who (kept as id and email, so the entry outlives the
 * account), when, which object (its app, entity, id and name then), and which fields changed.
 */
export const LogEntrySchema = defineEntity({
  name: 'AdminLogEntry',
  tableName: 'admin_log_entry',
  indexes: [
    { properties: ['actionTime'], name: 'admin_log_entry_time_index' },
    { properties: ['app', 'entity', 'objectId'], name: 'admin_log_entry_object_index' },
  ],
  properties: {
    id: p.integer().primary(),
    actionTime: p.datetime().onCreate(() => new Date()),
    userId: p.integer().nullable(),
    userEmail: p.string().length(254),
    app: p.string().length(100),
    entity: p.string().length(100),
    objectId: p.integer(),
    /** The object's name when it was changed. */
    objectRepr: p.string().length(200),
    action: p.enum(LOG_ACTIONS),
    /** The fields a change altered (add: every field given), by name. */
    changed: p.json<string[]>(),
    /** The action's name, or its message. */
    message: p.string().length(500).default(''),
  },
});

/** A change made through the admin. */
export class LogEntry extends LogEntrySchema.class {}
LogEntrySchema.setClass(LogEntry);
