// The admin log: every add, change, delete and action made through the admin, written after the
// app's service did its work, with the fields a change altered.
import type { BoundForm, CurrentUser, EntityManager, Form } from '@tessera/core';
import type { LogAction } from './log-entry.entity.ts';
import type { AdminModel } from './models.ts';

/** One change to record. */
export interface LogInput {
  user: CurrentUser;
  model: AdminModel;
  objectId: number;
  objectRepr: unknown;
  action: LogAction;
  changed?: string[];
  message?: string;
}

/** Records changes (one statement for any number of objects: a bulk action logs each). */
export async function record(em: EntityManager, entries: readonly LogInput[]): Promise<void> {
  if (!entries.length) return;
  await em.getConnection().execute(
    `insert into admin_log_entry
       (action_time, user_id, user_email, app, entity, object_id, object_repr, action, changed, message)
     values ${entries.map(() => '(now(), ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?)').join(', ')}`,
    entries.flatMap((e) => [
      e.user.id,
      e.user.email,
      e.model.app,
      e.model.name,
      e.objectId,
      String(e.objectRepr ?? '').slice(0, 200),
      e.action,
      JSON.stringify(e.changed ?? []),
      (e.message ?? '').slice(0, 500),
    ]),
  );
}

/**
 * The names of the fields whose value, as the form shows it, differs from what the form started
 * with: a date the form shows to the minute is unchanged when only its seconds differ, and a
 * field with its own `format` (a list of tags) compares as it is written.
 */
export function changedFields(
  form: Form,
  initial: Record<string, unknown>,
  data: Record<string, unknown>,
): string[] {
  const before = new Map(form.bind(initial).fields.map((f) => [f.name, shownAs(f)]));
  return form
    .bind(data)
    .fields.filter((f) => f.name in data && before.get(f.name) !== shownAs(f))
    .map((f) => f.name);
}

function shownAs(field: BoundForm['fields'][number]): string {
  return JSON.stringify([field.value, field.selected]);
}
