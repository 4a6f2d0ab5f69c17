import { Migration } from '@tessera/core';

/**
 * Delivery moved to `contact-form:deliver` jobs: the claim's lease column and the `sending` state
 * go (a message held by an old process is pending again). Messages pending before the upgrade have
 * no job yet: `tessera contact-form:deliver` queues them.
 */
export class Migration0003 extends Migration {
  override up(): void {
    this.addSql("drop index \"contact_form_message_state_next_attempt_at_index\";");
    this.addSql("alter table \"contact_form_message\" drop constraint \"contact_form_message_state_check\";");
    this.addSql("alter table \"contact_form_message\" drop column \"next_attempt_at\";");
    this.addSql("update \"contact_form_message\" set \"state\" = 'pending' where \"state\" = 'sending';");
    this.addSql("create index \"contact_form_message_state_index\" on \"contact_form_message\" (\"state\");");
    this.addSql("alter table \"contact_form_message\" add constraint \"contact_form_message_state_check\" check (\"state\" in ('pending', 'sent', 'spam'));");
  }

  override down(): void {
    this.addSql("drop index \"contact_form_message_state_index\";");
    this.addSql("alter table \"contact_form_message\" drop constraint \"contact_form_message_state_check\";");
    this.addSql("alter table \"contact_form_message\" add \"next_attempt_at\" timestamptz(6) null;");
    this.addSql("create index \"contact_form_message_state_next_attempt_at_index\" on \"contact_form_message\" (\"state\", \"next_attempt_at\");");
    this.addSql("alter table \"contact_form_message\" add constraint \"contact_form_message_state_check\" check (\"state\" in ('pending', 'sending', 'sent', 'spam'));");
  }
}
